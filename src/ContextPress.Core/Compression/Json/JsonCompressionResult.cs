namespace ContextPress.Compression.Json;

/// <summary>The outcome of one <see cref="StructuredJsonCompressor"/> call.</summary>
public sealed class JsonCompressionResult
{
    /// <summary>Gets the compressed document: minified, valid JSON.</summary>
    public required string Json { get; init; }

    /// <summary>Gets the input's token count (as given, whitespace included).</summary>
    public required int TokensBefore { get; init; }

    /// <summary>Gets the token count of <see cref="Json"/>.</summary>
    public required int TokensAfter { get; init; }

    /// <summary>Gets the escalation level used, 0 (minify and clean) to <see cref="StructuredJsonCompressor.MaxLevel"/>.</summary>
    public required int Level { get; init; }

    /// <summary>Gets the number of array elements trimmed (the omission markers do not count).</summary>
    public required int ElementsRemoved { get; init; }

    /// <summary>Gets the number of strings shortened (prose-compressed or cut to their first sentence).</summary>
    public required int StringsCompressed { get; init; }

    /// <summary>Gets the number of object properties dropped (nulls, empties, boilerplate, and non-essential fields at level 3).</summary>
    public required int FieldsDropped { get; init; }

    /// <summary>Gets a value indicating whether <see cref="TokensAfter"/> is within the target (always true without a target).</summary>
    public required bool FitsTarget { get; init; }

    /// <summary>Returns this result measured against another target.</summary>
    internal JsonCompressionResult WithTarget(int? target) => new()
    {
        Json = Json,
        TokensBefore = TokensBefore,
        TokensAfter = TokensAfter,
        Level = Level,
        ElementsRemoved = ElementsRemoved,
        StringsCompressed = StringsCompressed,
        FieldsDropped = FieldsDropped,
        FitsTarget = target is not int budget || TokensAfter <= budget,
    };

    /// <summary>Gets the compression ratio, tokens before over tokens after (1 when both are 0).</summary>
    public double Ratio => TokensAfter == 0 ? (TokensBefore == 0 ? 1 : double.PositiveInfinity) : (double)TokensBefore / TokensAfter;
}
