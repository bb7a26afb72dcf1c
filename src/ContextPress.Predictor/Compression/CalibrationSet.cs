using System.Security.Cryptography;
using System.Text;
using ContextPress.Predictor.Tokenization;

namespace ContextPress.Predictor.Compression;

/// <summary>
/// Calibration token windows cut from a text: the text is tokenized once (no BOS), cut into non-overlapping windows of
/// <see cref="CalibrationOptions.WindowLength"/> tokens (the remainder dropped), and <see cref="CalibrationOptions.Windows"/>
/// of them are taken evenly spaced across the text (all of them when there are fewer).
/// </summary>
public sealed record CalibrationSet
{
    /// <summary>The windows, each <see cref="WindowLength"/> token ids.</summary>
    public required IReadOnlyList<int[]> Windows { get; init; }

    /// <summary>Tokens per window.</summary>
    public required int WindowLength { get; init; }

    /// <summary>Tokens in the whole text.</summary>
    public required long TextTokens { get; init; }

    /// <summary>SHA-256 of the text's UTF-8 bytes (lowercase hex), to tell calibration sets apart.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Where the text came from (a file path), or null.</summary>
    public string? Source { get; init; }

    /// <summary>Tokens in all windows.</summary>
    public long Tokens => (long)Windows.Count * WindowLength;

    /// <summary>Cuts <paramref name="text"/> into windows.</summary>
    /// <exception cref="InvalidDataException">The text has fewer tokens than one window.</exception>
    public static CalibrationSet FromText(string text, IPromptTokenizer tokenizer, CalibrationOptions? options = null, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(tokenizer);
        options = (options ?? new CalibrationOptions()).Validate();
        var ids = tokenizer.Encode(text, addBos: false);
        var length = options.WindowLength;
        var available = ids.Count / length;
        if (available == 0)
        {
            throw new InvalidDataException($"The calibration text{(source is null ? "" : $" '{source}'")} has {ids.Count} tokens, fewer than one window of {length}.");
        }
        var count = Math.Min(available, options.Windows);
        var windows = new int[count][];
        for (var k = 0; k < count; k++)
        {
            var start = (int)((long)k * available / count) * length;
            windows[k] = ids.Skip(start).Take(length).ToArray();
        }
        return new CalibrationSet
        {
            Windows = windows,
            WindowLength = length,
            TextTokens = ids.Count,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))),
            Source = source,
        };
    }

    /// <summary>Reads a UTF-8 text file and cuts it into windows.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file has fewer tokens than one window.</exception>
    public static async Task<CalibrationSet> LoadAsync(string path, IPromptTokenizer tokenizer, CalibrationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var text = await File.ReadAllTextAsync(path, Encoding.UTF8, cancellationToken).ConfigureAwait(false);
        return FromText(text, tokenizer, options, path);
    }
}
