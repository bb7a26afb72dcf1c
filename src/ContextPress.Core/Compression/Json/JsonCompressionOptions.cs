namespace ContextPress.Compression.Json;

/// <summary>Settings for one <see cref="StructuredJsonCompressor"/> call.</summary>
public sealed record JsonCompressionOptions
{
    /// <summary>
    /// Gets the boilerplate keys dropped by default: <c>_links</c> (HAL hypermedia links), <c>$schema</c> (JSON Schema
    /// references), <c>__typename</c> (GraphQL type names) and <c>@odata.context</c> (OData metadata URLs). None of them
    /// carries data an agent acts on; <c>_embedded</c>, <c>etag</c> and the like are deliberately not listed.
    /// </summary>
    public static IReadOnlyList<string> DefaultBoilerplateKeys { get; } = ["_links", "$schema", "__typename", "@odata.context"];

    /// <summary>Gets the default options: the default level once, no protected values, no relevant terms.</summary>
    /// <remarks>Declared after <see cref="DefaultBoilerplateKeys"/>, which its initializer reads.</remarks>
    public static JsonCompressionOptions Default { get; } = new();

    /// <summary>
    /// Gets the token budget of the output. When set, the least aggressive level whose output fits is used (or the most
    /// aggressive one, with <see cref="JsonCompressionResult.FitsTarget"/> false, when none fits). When null (the
    /// default), <see cref="StructuredJsonCompressor.DefaultLevel"/> is applied once.
    /// </summary>
    public int? TargetTokens { get; init; }

    /// <summary>Gets the fraction of tokens kept in long prose strings at level 1 (halved, at least 0.15, at level 2). Default 0.5.</summary>
    public double LongStringRate { get; init; } = 0.5;

    /// <summary>Gets the token length above which a string containing spaces counts as prose and may be compressed. Default 24.</summary>
    public int LongStringTokens { get; init; } = 24;

    /// <summary>
    /// Gets the array length the levels trim to: level 1 trims arrays longer than twice this to this many items,
    /// level 2 trims arrays longer than this to half of it (at least 2), level 3 trims to 2. Default 8.
    /// </summary>
    public int MaxArrayItems { get; init; } = 8;

    /// <summary>
    /// Gets values a later step needs (ids, amounts, names). An array element whose keys, strings or numbers contain one
    /// (ordinal comparison) is never trimmed, nor is such a field of an object inside an array dropped at level 3, and a
    /// string containing one is never shortened. Boilerplate keys are dropped all the same.
    /// </summary>
    public IReadOnlyCollection<string> ProtectedValues { get; init; } = [];

    /// <summary>
    /// Gets terms of the plan or request. When an array is trimmed, elements mentioning more of them (case-insensitive)
    /// are kept before the first elements; prose compression keeps them too.
    /// </summary>
    public IReadOnlyCollection<string> RelevantTerms { get; init; } = [];

    /// <summary>
    /// Gets a value indicating whether the best matches of every array are kept whole. When true, the elements of an
    /// array that hold the most distinct <see cref="ProtectedValues"/> (at least one; ties broken by
    /// <see cref="RelevantTerms"/>, then by position; at most <see cref="MaxWholeMatches"/>) are kept at every level
    /// exactly as level 0 writes them: nothing inside them is trimmed, dropped or shortened. The record a later step
    /// acts on (the expense named by the request, with every member's share) then survives even the most aggressive
    /// level, while its look-alikes are reduced. Default false.
    /// </summary>
    public bool KeepBestMatchesWhole { get; init; }

    /// <summary>Gets how many elements of one array <see cref="KeepBestMatchesWhole"/> keeps whole. Default 3.</summary>
    public int MaxWholeMatches { get; init; } = 3;

    /// <summary>
    /// Gets a value indicating whether level 3 keeps relevant text instead of cutting it away: a multi-line prose string
    /// keeps its first line, a line holding each protected value, the lines with the most relevant terms and short lines
    /// with numbers, in their order, followed by a <c>"… N more lines omitted"</c> line (an itemised bill keeps its
    /// amount-due line), a one-paragraph one keeps its first sentence and those with digits, e-mails or protected
    /// values (a message's new date and its confirmation code); and an object inside an array keeps a non-essential string field that mentions at least two
    /// relevant terms (shortened like any long prose: the message that says the appointment moved). Default false.
    /// </summary>
    public bool KeepRelevantText { get; init; }

    /// <summary>
    /// Gets a value indicating whether a long prose string that holds a protected value may still be shortened, keeping
    /// every protected value it holds: prose compression force-keeps them, and level 3 keeps a line holding each (with
    /// <see cref="KeepRelevantText"/>) or else leaves the string whole. Without it (the default) such strings are never
    /// changed, which leaves a 9,000-token statement that merely names the month of the request untouched.
    /// </summary>
    public bool ShortenProtectedStrings { get; init; }

    /// <summary>
    /// Gets the keys whose properties are dropped entirely at every level, compared ordinally (case-sensitive);
    /// <see cref="DefaultBoilerplateKeys"/> by default, empty to keep everything. Keys that look like ids (<c>id</c>,
    /// <c>_id</c>, <c>*_id</c>, <c>*Id</c>, <c>uuid</c>, <c>sku</c>, ...) are rejected by <see cref="Validate"/> and never dropped.
    /// </summary>
    public IReadOnlyCollection<string> BoilerplateKeys { get; init; } = DefaultBoilerplateKeys;

    /// <summary>Throws <see cref="ArgumentException"/> when a setting is out of range.</summary>
    public void Validate()
    {
        if (TargetTokens is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(TargetTokens), TargetTokens, "The token budget cannot be negative.");
        }

        if (double.IsNaN(LongStringRate) || LongStringRate <= 0 || LongStringRate > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(LongStringRate), LongStringRate, "The long-string rate is a fraction of tokens to keep and must be in (0, 1].");
        }

        if (LongStringTokens < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(LongStringTokens), LongStringTokens, "The long-string threshold must be at least one token.");
        }

        if (MaxArrayItems < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxArrayItems), MaxArrayItems, "Arrays must keep at least one item.");
        }

        if (MaxWholeMatches < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxWholeMatches), MaxWholeMatches, "Keep at least one element whole.");
        }

        ValidateValues(ProtectedValues, nameof(ProtectedValues));
        ValidateValues(RelevantTerms, nameof(RelevantTerms));
        ArgumentNullException.ThrowIfNull(BoilerplateKeys, nameof(BoilerplateKeys));
        foreach (string? key in BoilerplateKeys)
        {
            if (key is null)
            {
                throw new ArgumentException("Boilerplate keys cannot be null.", nameof(BoilerplateKeys));
            }

            if (JsonKeyClassifier.IsIdLike(key))
            {
                throw new ArgumentException($"The key '{key}' looks like an id and cannot be boilerplate.", nameof(BoilerplateKeys));
            }
        }
    }

    private static void ValidateValues(IReadOnlyCollection<string> values, string name)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        foreach (string? value in values)
        {
            if (string.IsNullOrEmpty(value))
            {
                throw new ArgumentException("Values cannot be null or empty.", name);
            }
        }
    }
}
