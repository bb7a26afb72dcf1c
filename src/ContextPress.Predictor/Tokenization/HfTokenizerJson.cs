using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace ContextPress.Predictor.Tokenization;

/// <summary>
/// Reads a Hugging Face <c>tokenizer.json</c> whose model is byte-level BPE (GPT-2, Qwen2, Llama 3, SmolLM2) into a
/// Microsoft.ML.Tokenizers <see cref="BpeTokenizer"/>: <c>model.vocab</c>, <c>model.merges</c> (<c>"a b"</c> strings or
/// <c>["a", "b"]</c> pairs), <c>added_tokens</c> as special tokens (matched whole, also by the pre-tokenizer), and the
/// pre-tokenizer's split regex (a <c>Split</c> pattern, else GPT-2's for <c>ByteLevel</c> with <c>use_regex</c>).
/// </summary>
public static class HfTokenizerJson
{
    /// <summary>GPT-2's pre-tokenizer pattern, which <c>ByteLevel</c> with <c>use_regex: true</c> applies.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>Whether <paramref name="path"/> describes a byte-level BPE model (its pre-tokenizer or decoder is <c>ByteLevel</c>).</summary>
    /// <param name="path">The <c>tokenizer.json</c> file.</param>
    /// <returns>True for byte-level BPE.</returns>
    public static bool IsByteLevelBpe(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        return root.TryGetProperty("model", out var model) && Type(model) == "BPE"
            && (HasByteLevel(root, "pre_tokenizer", "pretokenizers") || HasByteLevel(root, "decoder", "decoders"));
    }

    /// <summary>Builds the tokenizer.</summary>
    /// <param name="path">The <c>tokenizer.json</c> file.</param>
    /// <param name="addedTokens">Receives the added tokens (content to id).</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="NotSupportedException">The model is not byte-level BPE.</exception>
    /// <exception cref="InvalidDataException">A required field is missing.</exception>
    public static BpeTokenizer Load(string path, out IReadOnlyDictionary<string, int> addedTokens)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        if (!root.TryGetProperty("model", out var model) || Type(model) != "BPE")
        {
            throw new NotSupportedException($"{path}: only BPE models are supported (model.type is '{(root.TryGetProperty("model", out var m) ? Type(m) : null)}').");
        }
        if (!HasByteLevel(root, "pre_tokenizer", "pretokenizers") && !HasByteLevel(root, "decoder", "decoders"))
        {
            throw new NotSupportedException($"{path}: only byte-level BPE is supported; use tokenizer.model for SentencePiece-style models.");
        }
        if (!model.TryGetProperty("vocab", out var vocabElement) || !model.TryGetProperty("merges", out var mergesElement))
        {
            throw new InvalidDataException($"{path}: model.vocab and model.merges are required.");
        }

        var vocab = vocabElement.EnumerateObject().Select(p => new KeyValuePair<string, int>(p.Name, p.Value.GetInt32())).ToList();
        var merges = mergesElement.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Array
            ? $"{e[0].GetString()} {e[1].GetString()}"
            : e.GetString() ?? throw new InvalidDataException($"{path}: a merge is null.")).ToList();

        var added = new Dictionary<string, int>(StringComparer.Ordinal);
        if (root.TryGetProperty("added_tokens", out var addedElement))
        {
            foreach (var token in addedElement.EnumerateArray())
            {
                added[token.GetProperty("content").GetString()!] = token.GetProperty("id").GetInt32();
            }
        }
        addedTokens = added;

        var pattern = SplitPattern(root) ?? Gpt2Pattern;
        var options = new BpeOptions(vocab)
        {
            Merges = merges,
            ByteLevel = true,
            SpecialTokens = added.Count > 0 ? added : null,
            PreTokenizer = new RegexPreTokenizer(new Regex(pattern, RegexOptions.Compiled), added.Count > 0 ? added : null),
        };
        return BpeTokenizer.Create(options);
    }

    private static string? Type(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty("type", out var type) ? type.GetString() : null;

    private static bool HasByteLevel(JsonElement root, string name, string listName) =>
        root.TryGetProperty(name, out var element) && Flatten(element, listName).Any(e => Type(e) == "ByteLevel");

    private static IEnumerable<JsonElement> Flatten(JsonElement element, string listName)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            yield break;
        }
        yield return element;
        if (element.TryGetProperty(listName, out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var child in list.EnumerateArray())
            {
                yield return child;
            }
        }
    }

    private static string? SplitPattern(JsonElement root)
    {
        if (!root.TryGetProperty("pre_tokenizer", out var pre))
        {
            return null;
        }
        foreach (var step in Flatten(pre, "pretokenizers"))
        {
            if (Type(step) == "Split" && step.TryGetProperty("pattern", out var pattern) && pattern.TryGetProperty("Regex", out var regex))
            {
                return regex.GetString();
            }
        }
        return null;
    }
}
