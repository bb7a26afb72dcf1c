using System.Buffers;
using System.Text.Json;
using ContextPress.Text;
using ContextPress.Tokens;

namespace ContextPress.Compression.Json;

/// <summary>State shared by the levels of one call: options, and the session's caches of token counts, prose compressions and matches.</summary>
internal sealed class JsonCompressionCall
{
    private readonly HashSet<string> _boilerplate;
    private List<int>? _proseTokens;

    public JsonCompressionCall(PromptCompressor proseCompressor, JsonCompressionOptions options, JsonCompressionSession session)
    {
        ProseCompressor = proseCompressor;
        Counter = proseCompressor.TokenCounter;
        Options = options;
        Session = session;
        Protected = [.. options.ProtectedValues.Distinct(StringComparer.Ordinal)];
        Relevant = [.. options.RelevantTerms.Distinct(StringComparer.OrdinalIgnoreCase)];
        _boilerplate = new HashSet<string>(options.BoilerplateKeys, StringComparer.Ordinal);
        Question = Relevant.Length == 0 ? null : string.Join(' ', Relevant);
        session.Use(Protected, Relevant, options.ShortenProtectedStrings);
    }

    public JsonCompressionSession Session { get; }

    public PromptCompressor ProseCompressor { get; }

    public ITokenCounter Counter { get; }

    public JsonCompressionOptions Options { get; }

    public string[] Protected { get; }

    public string[] Relevant { get; }

    public string? Question { get; }

    /// <summary>
    /// Returns the most tokens prompt-compressing every long prose string of the document at <paramref name="rate"/>
    /// could save (an upper bound: strings a level keeps whole count too), as <see cref="JsonCompressionPass.MostProseSaving"/> counts.
    /// </summary>
    public int MostProseSaving(double rate)
    {
        if (_proseTokens is null)
        {
            _proseTokens = [];
            CollectProse(Session.Document.RootElement, _proseTokens);
        }

        int saving = 0;
        foreach (int tokens in _proseTokens)
        {
            saving += JsonCompressionPass.MostSaving(tokens, rate);
        }

        return saving;
    }

    private void CollectProse(JsonElement element, List<int> tokens)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    CollectProse(property.Value, tokens);
                }

                break;
            case JsonValueKind.Array:
                foreach (JsonElement item in element.EnumerateArray())
                {
                    CollectProse(item, tokens);
                }

                break;
            case JsonValueKind.String when JsonElementText.TryGetString(element, out string? value) && IsLongProse(value):
                tokens.Add(CountTokens(value));
                break;
        }
    }

    /// <summary>Returns the matches of every element of <paramref name="array"/>, computed once per session.</summary>
    public ArrayMatches MatchesOf(JsonElement array)
    {
        int offset = Session.OffsetOf(array);
        if (!Session.Matches.TryGetValue(offset, out ArrayMatches? matches))
        {
            matches = new ArrayMatches(array, Protected);
            Session.Matches[offset] = matches;
        }

        return matches;
    }

    public bool IsBoilerplate(string key) => _boilerplate.Count > 0 && _boilerplate.Contains(key) && !JsonKeyClassifier.IsIdLike(key);

    public int CountTokens(string text)
    {
        if (!Session.TokenCounts.TryGetValue(text, out int count))
        {
            count = Counter.CountTokens(text);
            Session.TokenCounts[text] = count;
        }

        return count;
    }

    /// <summary>True when <paramref name="value"/> is prose longer than the long-string threshold and holds no protected value.</summary>
    public bool IsLongProse(string value) =>
        value.Length > Options.LongStringTokens / 4
        && (Options.ShortenProtectedStrings || !ContainsProtected(value))
        && JsonStrings.MayBeProse(value)
        && CountTokens(value) > Options.LongStringTokens;

    public bool ContainsProtected(string text)
    {
        foreach (string value in Protected)
        {
            if (text.Contains(value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Prompt-compresses <paramref name="text"/>; returns the same instance when that saves nothing.</summary>
    public async ValueTask<string> CompressProseAsync(string text, double rate, CancellationToken cancellationToken)
    {
        if (Session.Prose.TryGetValue((text, rate), out string? cached))
        {
            return cached;
        }

        List<string> force = [];
        foreach (string term in Relevant)
        {
            if (text.Contains(term, StringComparison.Ordinal))
            {
                force.Add(term);
            }
        }

        if (Options.ShortenProtectedStrings)
        {
            foreach (string value in Protected)
            {
                if (text.Contains(value, StringComparison.Ordinal))
                {
                    force.Add(value);
                }
            }
        }

        PromptCompressionResult result = await ProseCompressor.CompressAsync(
            text,
            new PromptCompressionOptions { Rate = rate, ForceTokens = force, Question = Question, IncludeWordLabels = false },
            cancellationToken).ConfigureAwait(false);

        string compressed = result.Text.Trim();
        if (compressed.Length == 0 || result.CompressedTokens >= result.OriginalTokens || compressed.Length >= text.Length)
        {
            compressed = text;
        }

        Session.Prose[(text, rate)] = compressed;
        return compressed;
    }
}

/// <summary>One level applied to a fresh copy of the document.</summary>
internal sealed class JsonCompressionPass(JsonCompressionCall call, JsonLevelSettings settings)
{
    private const int FallbackFields = 3;

    private readonly List<(CompressedString Node, double Rate)> _pending = [];

    /// <summary>How many elements kept whole enclose the current node: inside one, nothing is trimmed or shortened.</summary>
    private int _whole;

    public int ElementsRemoved { get; private set; }

    public int StringsCompressed { get; private set; }

    public int FieldsDropped { get; private set; }

    /// <summary>Builds the level's copy of <paramref name="element"/>; long prose strings are queued for <see cref="CompressPendingAsync"/>.</summary>
    public CompressedNode Transform(JsonElement element, bool inArray) => element.ValueKind switch
    {
        JsonValueKind.Object => TransformObject(element, inArray),
        JsonValueKind.Array => TransformArray(element),
        JsonValueKind.String => TransformString(element),
        _ => new CompressedRaw(element.GetRawText()),
    };

    /// <summary>Gets a value indicating whether prose strings are queued for compression.</summary>
    public bool HasPendingProse => _pending.Count > 0;

    /// <summary>
    /// Returns the most tokens compressing the queued strings can save: each keeps about its rate of tokens (the prompt
    /// compressor meets its budget within a word), with a margin for the budget's tolerance and the tokens at the quotes.
    /// </summary>
    public int MostProseSaving()
    {
        int saving = 0;
        foreach ((CompressedString node, double rate) in _pending)
        {
            saving += MostSaving(call.CountTokens(node.Value), rate);
        }

        return saving;
    }

    /// <summary>The most tokens compressing a string of <paramref name="tokens"/> at <paramref name="rate"/> can save.</summary>
    public static int MostSaving(int tokens, double rate) => (int)Math.Ceiling((1 - rate) * tokens) + Math.Max(2, tokens / 100) + 3;

    /// <summary>Prompt-compresses the queued prose strings.</summary>
    public async ValueTask CompressPendingAsync(CancellationToken cancellationToken)
    {
        foreach ((CompressedString node, double rate) in _pending)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string compressed = await call.CompressProseAsync(node.Value, rate, cancellationToken).ConfigureAwait(false);
            if (!ReferenceEquals(compressed, node.Value))
            {
                node.Value = compressed;
                StringsCompressed++;
            }
        }

        _pending.Clear();
    }

    private CompressedNode TransformObject(JsonElement element, bool inArray)
    {
        (int removed, int strings, int dropped, int pending) = (ElementsRemoved, StringsCompressed, FieldsDropped, _pending.Count);
        var result = new CompressedObject();
        bool[]? essential = settings.EssentialFieldsOnly && inArray && _whole == 0 ? EssentialFields(element) : null;
        int index = -1;
        foreach (JsonProperty property in element.EnumerateObject())
        {
            index++;
            if (!JsonElementText.TryGetName(property, out string? name))
            {
                // A key with a lone surrogate escape cannot be decoded or written back: copy the object as given.
                (ElementsRemoved, StringsCompressed, FieldsDropped) = (removed, strings, dropped);
                _pending.RemoveRange(pending, _pending.Count - pending);
                return new CompressedRaw(element.GetRawText());
            }

            JsonElement value = property.Value;
            if (value.ValueKind == JsonValueKind.Null)
            {
                FieldsDropped++;
                continue;
            }

            if (call.IsBoilerplate(name) || (essential is not null && !essential[index] && !IsProtected(name, value) && !IsRelevantText(value)))
            {
                FieldsDropped++;
                continue;
            }

            CompressedNode node = Transform(value, inArray: false);
            if (node.IsEmpty)
            {
                FieldsDropped++;
                continue;
            }

            result.Properties.Add(new KeyValuePair<string, CompressedNode>(name, node));
        }

        return result;
    }

    /// <summary>Marks the essential fields of an object inside an array; with none, its first few scalar fields.</summary>
    private static bool[] EssentialFields(JsonElement element)
    {
        var keep = new bool[element.GetPropertyCount()];
        int index = 0;
        bool any = false;
        foreach (JsonProperty property in element.EnumerateObject())
        {
            keep[index] = JsonElementText.TryGetName(property, out string? name) && JsonKeyClassifier.IsEssential(name);
            any |= keep[index];
            index++;
        }

        if (!any)
        {
            index = 0;
            int kept = 0;
            foreach (JsonProperty property in element.EnumerateObject())
            {
                JsonValueKind kind = property.Value.ValueKind;
                bool scalar = kind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False
                    || (kind == JsonValueKind.String && property.Value.GetRawText().Length > 2);
                if (scalar && kept < FallbackFields)
                {
                    keep[index] = true;
                    kept++;
                }

                index++;
            }
        }

        return keep;
    }

    private CompressedArray TransformArray(JsonElement element)
    {
        int length = element.GetArrayLength();
        bool[]? whole = _whole == 0 && call.Options.KeepBestMatchesWhole && call.Protected.Length > 0 ? BestMatches(element, length) : null;
        if (length <= settings.TrimAbove || _whole > 0)
        {
            var all = new CompressedArray(length);
            int i = 0;
            foreach (JsonElement item in element.EnumerateArray())
            {
                all.Items.Add(TransformItem(item, whole is not null && whole[i++]));
            }

            return all;
        }

        bool[] keep = SelectItems(element, length, settings.KeepItems);
        int kept = 0;
        var result = new CompressedArray(settings.KeepItems + 1);
        int index = 0;
        foreach (JsonElement item in element.EnumerateArray())
        {
            bool isWhole = whole is not null && whole[index];
            if (keep[index++] || isWhole)
            {
                result.Items.Add(TransformItem(item, isWhole));
                kept++;
            }
        }

        int removed = length - kept;
        if (removed > 0)
        {
            ElementsRemoved += removed;
            result.Items.Add(new CompressedString(StructuredJsonCompressor.FormatOmittedItemsMarker(removed)));
        }

        return result;
    }

    private CompressedNode TransformItem(JsonElement item, bool whole)
    {
        if (!whole)
        {
            return Transform(item, inArray: true);
        }

        _whole++;
        try
        {
            return Transform(item, inArray: true);
        }
        finally
        {
            _whole--;
        }
    }

    /// <summary>
    /// Marks the elements (objects and arrays) holding the most distinct protected values, at least one; ties go to
    /// those with more relevant terms, then to the earlier ones, up to <see cref="JsonCompressionOptions.MaxWholeMatches"/>.
    /// </summary>
    private bool[]? BestMatches(JsonElement element, int length)
    {
        ArrayMatches matches = call.MatchesOf(element);
        List<int>? best = null;
        int most = 0;
        int index = 0;
        foreach (JsonElement item in element.EnumerateArray())
        {
            int named = matches.Protected[index];
            if (item.ValueKind is JsonValueKind.Object or JsonValueKind.Array && named > 0 && named >= most)
            {
                if (named > most)
                {
                    most = named;
                    best?.Clear();
                }

                (best ??= []).Add(index);
            }

            index++;
        }

        if (best is null)
        {
            return null;
        }

        if (best.Count > 1 && call.Relevant.Length > 0)
        {
            // Equally named records: those sharing more terms with the request first, then the earlier ones.
            int[] relevant = matches.Relevant(call.Relevant);
            best.Sort((a, b) => relevant[a] != relevant[b] ? relevant[b].CompareTo(relevant[a]) : a.CompareTo(b));
            int top = relevant[best[0]];
            best.RemoveAll(i => relevant[i] != top);
        }

        var whole = new bool[length];
        for (int i = 0; i < best.Count && i < call.Options.MaxWholeMatches; i++)
        {
            whole[best[i]] = true;
        }

        return whole;
    }

    /// <summary>Protected elements always; then the most relevant; then the first ones.</summary>
    private bool[] SelectItems(JsonElement element, int length, int limit)
    {
        var keep = new bool[length];
        int kept = 0;
        List<(int Index, int Matches)>? relevant = call.Relevant.Length > 0 ? [] : null;
        if (call.Protected.Length > 0 || relevant is not null)
        {
            ArrayMatches matches = call.MatchesOf(element);
            int[]? terms = relevant is null ? null : matches.Relevant(call.Relevant);
            for (int index = 0; index < length; index++)
            {
                if (matches.Protected[index] > 0)
                {
                    keep[index] = true;
                    kept++;
                }
                else if (terms is not null && terms[index] > 0)
                {
                    relevant!.Add((index, terms[index]));
                }
            }
        }

        if (relevant is not null && kept < limit)
        {
            relevant.Sort(static (a, b) => a.Matches != b.Matches ? b.Matches.CompareTo(a.Matches) : a.Index.CompareTo(b.Index));
            for (int r = 0; r < relevant.Count && kept < limit; r++)
            {
                keep[relevant[r].Index] = true;
                kept++;
            }
        }

        for (int i = 0; i < length && kept < limit; i++)
        {
            if (!keep[i])
            {
                keep[i] = true;
                kept++;
            }
        }

        return keep;
    }

    private CompressedNode TransformString(JsonElement element)
    {
        if (!JsonElementText.TryGetString(element, out string? value))
        {
            return new CompressedRaw(element.GetRawText());
        }

        var node = new CompressedString(value);
        if (_whole > 0 || (settings.ProseRate is null && !settings.LeadOnly) || !call.IsLongProse(value))
        {
            return node;
        }

        if (settings.LeadOnly)
        {
            string? lead = call.Options.KeepRelevantText
                ? JsonStrings.TellingLines(value, call.Protected, call.Relevant) ?? JsonStrings.ValueSentences(value, call.Protected)
                : null;
            if (lead is null && !call.ContainsProtected(value))
            {
                // A plain lead cut could lose a protected value; only a string without one is cut to its lead.
                lead = JsonStrings.Lead(value);
            }

            if (lead is not null && call.CountTokens(lead) < call.CountTokens(value))
            {
                node.Value = lead;
                StringsCompressed++;
            }
        }
        else
        {
            _pending.Add((node, settings.ProseRate!.Value));
        }

        return node;
    }

    /// <summary>True for a string mentioning at least two relevant terms, when relevant text is kept.</summary>
    private bool IsRelevantText(JsonElement value) =>
        call.Options.KeepRelevantText && value.ValueKind == JsonValueKind.String && call.Relevant.Length >= 2
        && JsonElementText.CountMatches(value, call.Relevant, StringComparison.OrdinalIgnoreCase, stopAtFirst: false) >= 2;

    private bool IsProtected(string name, JsonElement value) =>
        call.Protected.Length > 0
        && (call.ContainsProtected(name) || JsonElementText.CountMatches(value, call.Protected, StringComparison.Ordinal, stopAtFirst: true) > 0);
}

/// <summary>Searches the keys, strings and numbers of an element.</summary>
internal static class JsonElementText
{
    /// <summary>Reads a string; false for strings with escapes that do not decode to valid UTF-16 (lone surrogates).</summary>
    public static bool TryGetString(JsonElement element, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        try
        {
            value = element.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            value = null;
            return false;
        }
    }

    /// <summary>Reads a property name; false for names with escapes that do not decode to valid UTF-16.</summary>
    public static bool TryGetName(JsonProperty property, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? name)
    {
        try
        {
            name = property.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            name = null;
            return false;
        }
    }

    /// <summary>Counts the distinct <paramref name="terms"/> found in the keys, strings and numbers of <paramref name="element"/>.</summary>
    public static int CountMatches(JsonElement element, string[] terms, StringComparison comparison, bool stopAtFirst)
    {
        if (terms.Length == 0)
        {
            return 0;
        }

        // One search per term over the element's keys, strings and numbers joined by a character no term holds, instead
        // of one per term and piece: the same distinct matches, since a match cannot span the separator.
        foreach (string term in terms)
        {
            if (term.Length == 0 || term.Contains(Separator, StringComparison.Ordinal))
            {
                var found = new bool[terms.Length];
                int count = 0;
                Visit(element, terms, found, comparison, stopAtFirst, ref count);
                return count;
            }
        }

        char[] buffer = ArrayPool<char>.Shared.Rent(1024);
        try
        {
            int length = 0;
            Join(element, ref buffer, ref length);
            ReadOnlySpan<char> joined = buffer.AsSpan(0, length);
            using var search = comparison == StringComparison.OrdinalIgnoreCase ? new IgnoreCaseText(joined) : default;
            int matches = 0;
            foreach (string term in terms)
            {
                if (comparison == StringComparison.OrdinalIgnoreCase ? search.Contains(term) : joined.Contains(term, comparison))
                {
                    matches++;
                    if (stopAtFirst)
                    {
                        break;
                    }
                }
            }

            return matches;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private const char Separator = '\0';

    private static void Join(JsonElement element, ref char[] buffer, ref int length)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    Append(TryGetName(property, out string? name) ? name : string.Empty, ref buffer, ref length);
                    Join(property.Value, ref buffer, ref length);
                }

                break;
            case JsonValueKind.Array:
                foreach (JsonElement item in element.EnumerateArray())
                {
                    Join(item, ref buffer, ref length);
                }

                break;
            case JsonValueKind.String:
                Append(TryGetString(element, out string? value) ? value : element.GetRawText(), ref buffer, ref length);
                break;
            case JsonValueKind.Number:
                Append(element.GetRawText(), ref buffer, ref length);
                break;
        }
    }

    private static void Append(string text, ref char[] buffer, ref int length)
    {
        int needed = length + text.Length + 1;
        if (needed > buffer.Length)
        {
            char[] larger = ArrayPool<char>.Shared.Rent(Math.Max(needed, buffer.Length * 2));
            buffer.AsSpan(0, length).CopyTo(larger);
            ArrayPool<char>.Shared.Return(buffer);
            buffer = larger;
        }

        text.CopyTo(buffer.AsSpan(length));
        length += text.Length;
        buffer[length++] = Separator;
    }

    private static bool Visit(JsonElement element, string[] terms, bool[] found, StringComparison comparison, bool stopAtFirst, ref int count)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    if (Check(TryGetName(property, out string? name) ? name : string.Empty, terms, found, comparison, stopAtFirst, ref count) || Visit(property.Value, terms, found, comparison, stopAtFirst, ref count))
                    {
                        return true;
                    }
                }

                return false;
            case JsonValueKind.Array:
                foreach (JsonElement item in element.EnumerateArray())
                {
                    if (Visit(item, terms, found, comparison, stopAtFirst, ref count))
                    {
                        return true;
                    }
                }

                return false;
            case JsonValueKind.String:
                return Check(TryGetString(element, out string? value) ? value : element.GetRawText(), terms, found, comparison, stopAtFirst, ref count);
            case JsonValueKind.Number:
                return Check(element.GetRawText(), terms, found, comparison, stopAtFirst, ref count);
            default:
                return false;
        }
    }

    /// <summary>Marks the terms <paramref name="text"/> contains; true when the search can stop.</summary>
    private static bool Check(string text, string[] terms, bool[] found, StringComparison comparison, bool stopAtFirst, ref int count)
    {
        for (int t = 0; t < terms.Length; t++)
        {
            if (!found[t] && text.Contains(terms[t], comparison))
            {
                found[t] = true;
                count++;
                if (stopAtFirst)
                {
                    return true;
                }
            }
        }

        return count == terms.Length;
    }
}
