using System.Text;

namespace ContextPress.Predictor.Tokenization;

/// <summary>
/// <see cref="IPromptTokenizer"/> of a byte-level model: ids 0–255 are the UTF-8 bytes of the text, ids from 256 up are
/// special tokens (BOS, EOS) that never come out of <see cref="Encode"/>. A model directory selects it with
/// <see cref="MarkerFileName"/>.
/// </summary>
public sealed class ByteLevelPromptTokenizer : IPromptTokenizer
{
    /// <summary>The file whose presence in a model directory marks a byte-level vocabulary.</summary>
    public const string MarkerFileName = "byte_tokenizer.json";

    /// <summary>Number of byte ids (0–255); special ids start here.</summary>
    public const int ByteCount = 256;

    /// <summary>Creates the tokenizer.</summary>
    /// <param name="bosTokenId">BOS id (at least 256), or null when the model uses none.</param>
    /// <param name="stopTokenIds">Ids that end a turn (each at least 256).</param>
    /// <exception cref="ArgumentOutOfRangeException">A special id falls among the byte ids.</exception>
    public ByteLevelPromptTokenizer(int? bosTokenId, IReadOnlyCollection<int> stopTokenIds)
    {
        ArgumentNullException.ThrowIfNull(stopTokenIds);
        if (bosTokenId is < ByteCount || stopTokenIds.Any(id => id < ByteCount))
        {
            throw new ArgumentOutOfRangeException(nameof(bosTokenId), "Special token ids of a byte-level vocabulary must be at least 256.");
        }
        BosTokenId = bosTokenId;
        StopTokenIds = stopTokenIds;
    }

    /// <inheritdoc />
    public int? BosTokenId { get; }

    /// <inheritdoc />
    public IReadOnlyCollection<int> StopTokenIds { get; }

    /// <inheritdoc />
    public IReadOnlyList<int> Encode(string text, bool addBos)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = Encoding.UTF8.GetBytes(text);
        var ids = new List<int>(bytes.Length + 1);
        if (addBos && BosTokenId is { } bos)
        {
            ids.Add(bos);
        }
        foreach (var b in bytes)
        {
            ids.Add(b);
        }
        return ids;
    }

    /// <inheritdoc />
    /// <remarks>Special ids carry no text and are skipped.</remarks>
    public string Decode(IReadOnlyList<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var bytes = ids.Where(id => id is >= 0 and < ByteCount).Select(id => (byte)id).ToArray();
        return Encoding.UTF8.GetString(bytes);
    }
}
