using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using ContextPress.Tokens;

namespace ContextPress.Compression.Json;

/// <summary>
/// A parsed document and what several <see cref="StructuredJsonCompressor"/> calls on it can share: token counts,
/// prose compressions and the protected-value and relevant-term matches of array elements. A history compressor
/// tries one result at several targets; each try then re-reads nothing it already knows.
/// </summary>
/// <remarks>Not thread-safe: one session belongs to one caller at a time.</remarks>
internal sealed class JsonCompressionSession : IDisposable
{
    private string[] _protected = [];
    private string[] _relevant = [];
    private bool _forcesProtected;
    private int? _longestArray;

    /// <summary>Initializes a new instance of the <see cref="JsonCompressionSession"/> class.</summary>
    /// <param name="json">The document.</param>
    /// <param name="counter">The counter budgets are measured with.</param>
    /// <param name="tokensBefore">The input's token count when the caller already knows it.</param>
    /// <exception cref="FormatException"><paramref name="json"/> is not valid JSON.</exception>
    public JsonCompressionSession(string json, ITokenCounter counter, int? tokensBefore = null)
    {
        try
        {
            Document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new FormatException(ex.Message, ex);
        }

        Json = json;
        Counter = counter;
        TokensBefore = tokensBefore ?? counter.CountTokens(json);
    }

    /// <summary>Gets the document's text.</summary>
    public string Json { get; }

    /// <summary>Gets the counter budgets are measured with.</summary>
    public ITokenCounter Counter { get; }

    public JsonDocument Document { get; }

    /// <summary>Gets the input's token count.</summary>
    public int TokensBefore { get; }

    public Dictionary<string, int> TokenCounts { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the prose compressions, valid for the protected values and terms of <see cref="Use"/>.</summary>
    public Dictionary<(string Text, double Rate), string> Prose { get; } = [];

    /// <summary>
    /// Gets the outputs of levels already run, by their settings and the options that shape them (target aside): a
    /// second target often needs level 0 or level 3 again, with the same result.
    /// </summary>
    public Dictionary<(JsonLevelSettings Settings, JsonCompressionOptions Options), JsonCompressionResult> Levels { get; } = [];

    /// <summary>Gets the matches of the elements of each array, by the array's offset in the document.</summary>
    public Dictionary<int, ArrayMatches> Matches { get; } = [];

    /// <summary>Gets the length of the document's longest array (a level that trims only longer ones trims nothing).</summary>
    public int LongestArray => _longestArray ??= Longest(Document.RootElement);

    /// <summary>
    /// Counts the tokens of an output written from the document: an output equal to the input (already minified, with
    /// nothing to drop) costs what the input cost, without a second count.
    /// </summary>
    public int CountOutput(string output) =>
        output.Length == Json.Length && string.Equals(output, Json, StringComparison.Ordinal) ? TokensBefore : Counter.CountTokens(output);

    /// <summary>Gets the byte offset of <paramref name="element"/> in the document: a key that is the same for every level.</summary>
    public int OffsetOf(JsonElement element)
    {
        // Both references point into the document's one UTF-8 buffer (the GC updates interior references together).
        ReadOnlySpan<byte> root = JsonMarshal.GetRawUtf8Value(Document.RootElement);
        ReadOnlySpan<byte> value = JsonMarshal.GetRawUtf8Value(element);
        return (int)Unsafe.ByteOffset(ref MemoryMarshal.GetReference(root), ref MemoryMarshal.GetReference(value));
    }

    /// <summary>Prepares the caches for a call with these values and terms; what was computed for others is forgotten.</summary>
    public void Use(string[] protectedValues, string[] relevantTerms, bool forcesProtected)
    {
        if (forcesProtected == _forcesProtected && protectedValues.AsSpan().SequenceEqual(_protected) && relevantTerms.AsSpan().SequenceEqual(_relevant))
        {
            return;
        }

        Prose.Clear();
        Matches.Clear();
        Levels.Clear();
        (_protected, _relevant, _forcesProtected) = (protectedValues, relevantTerms, forcesProtected);
    }

    public void Dispose() => Document.Dispose();

    private static int Longest(JsonElement element)
    {
        int longest = 0;
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    longest = Math.Max(longest, Longest(property.Value));
                }

                break;
            case JsonValueKind.Array:
                longest = element.GetArrayLength();
                foreach (JsonElement item in element.EnumerateArray())
                {
                    longest = Math.Max(longest, Longest(item));
                }

                break;
        }

        return longest;
    }
}

/// <summary>
/// How many distinct protected values (ordinal) and relevant terms (case-insensitive) each element of one array holds;
/// the terms, the costlier search, are counted only when a tie or a trim needs them.
/// </summary>
internal sealed class ArrayMatches
{
    private readonly JsonElement _array;
    private int[]? _relevant;

    public ArrayMatches(JsonElement array, string[] protectedValues)
    {
        _array = array;
        Protected = new int[array.GetArrayLength()];
        int index = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            Protected[index++] = JsonElementText.CountMatches(item, protectedValues, StringComparison.Ordinal, stopAtFirst: false);
        }
    }

    /// <summary>Gets the protected values each element holds.</summary>
    public int[] Protected { get; }

    /// <summary>Returns the relevant terms each element holds.</summary>
    public int[] Relevant(string[] relevantTerms)
    {
        if (_relevant is null)
        {
            _relevant = new int[Protected.Length];
            int index = 0;
            foreach (JsonElement item in _array.EnumerateArray())
            {
                _relevant[index++] = JsonElementText.CountMatches(item, relevantTerms, StringComparison.OrdinalIgnoreCase, stopAtFirst: false);
            }
        }

        return _relevant;
    }
}
