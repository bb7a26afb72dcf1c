using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ContextPress.Predictor.Tokenization;

namespace ContextPress.ModelLab;

/// <summary>
/// The evaluation model's text: GSM8K test problems (question, then worked answer; MIT) as documents, split into train and
/// held-out by document index, and their byte-level token stream (each document's UTF-8 bytes followed by EOS).
/// </summary>
public static partial class ByteCorpus
{
    /// <summary>BOS id: starts every window the model sees.</summary>
    public const int BosTokenId = ByteLevelPromptTokenizer.ByteCount;

    /// <summary>EOS id: ends every document in the stream.</summary>
    public const int EosTokenId = ByteLevelPromptTokenizer.ByteCount + 1;

    /// <summary>Vocabulary: 256 bytes, BOS, EOS.</summary>
    public const int VocabSize = ByteLevelPromptTokenizer.ByteCount + 2;

    /// <summary>Every <c>HeldOutEvery</c>-th document (index % 10 == 9) is held out.</summary>
    public const int HeldOutEvery = 10;

    /// <summary>Source file name inside <c>shared/research-data</c>.</summary>
    public const string Gsm8kFileName = "gsm8k_test.jsonl";

    /// <summary>Reads GSM8K JSONL lines as documents: question, newline, answer; blank lines collapsed so that a blank line separates documents in <see cref="WriteDocuments"/>.</summary>
    /// <exception cref="InvalidDataException">A line lacks <c>question</c> or <c>answer</c>.</exception>
    public static IReadOnlyList<string> ReadGsm8k(string jsonlPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(jsonlPath);
        var documents = new List<string>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(jsonlPath))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            using var json = JsonDocument.Parse(line);
            if (!json.RootElement.TryGetProperty("question", out var question) || !json.RootElement.TryGetProperty("answer", out var answer))
            {
                throw new InvalidDataException($"{jsonlPath}:{lineNumber}: a GSM8K line needs 'question' and 'answer'.");
            }
            documents.Add(Normalize(question.GetString() + "\n" + answer.GetString()));
        }
        return documents;
    }

    /// <summary>Splits documents by index: index % <see cref="HeldOutEvery"/> == 9 goes to held-out.</summary>
    public static (IReadOnlyList<string> Train, IReadOnlyList<string> HeldOut) Split(IReadOnlyList<string> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var train = new List<string>();
        var heldOut = new List<string>();
        for (var i = 0; i < documents.Count; i++)
        {
            (i % HeldOutEvery == HeldOutEvery - 1 ? heldOut : train).Add(documents[i]);
        }
        return (train, heldOut);
    }

    /// <summary>The token stream: each document's UTF-8 bytes, then EOS.</summary>
    public static int[] ToTokens(IEnumerable<string> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var tokens = new List<int>();
        foreach (var document in documents)
        {
            foreach (var b in Encoding.UTF8.GetBytes(document))
            {
                tokens.Add(b);
            }
            tokens.Add(EosTokenId);
        }
        return [.. tokens];
    }

    /// <summary>Writes documents as UTF-8 text, a blank line between them (they contain none themselves).</summary>
    public static void WriteDocuments(string path, IEnumerable<string> documents)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.WriteAllText(path, string.Join("\n\n", documents) + "\n", new UTF8Encoding(false));
    }

    /// <summary>Reads a file written by <see cref="WriteDocuments"/>.</summary>
    public static IReadOnlyList<string> ReadDocuments(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var text = File.ReadAllText(path, Encoding.UTF8).Replace("\r\n", "\n", StringComparison.Ordinal);
        return text.Split("\n\n").Select(d => d.Trim('\n')).Where(d => d.Length > 0).ToArray();
    }

    /// <summary>SHA-256 of a file, lower-case hex (recorded in the model README so the split can be checked).</summary>
    public static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static string Normalize(string text) =>
        BlankLines().Replace(text.Replace("\r\n", "\n", StringComparison.Ordinal), "\n").Trim('\n');

    [GeneratedRegex("\n{2,}")]
    private static partial Regex BlankLines();
}
