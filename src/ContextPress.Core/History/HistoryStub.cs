using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ContextPress.Compression.Json;
using ContextPress.Context;
using ContextPress.Text;
using ContextPress.Tokens;

namespace ContextPress.History;

/// <summary>What a stub keeps besides the values the next steps name.</summary>
internal enum StubDetail
{
    /// <summary>The best-matching record and up to the maximum of critical values, the most relevant first.</summary>
    Values,

    /// <summary>The best-matching record.</summary>
    BestRecord,

    /// <summary>The record naming referenced values, or a small one matching the next steps' terms.</summary>
    NamedValues,

    /// <summary>Nothing more.</summary>
    Bare,
}

/// <summary>
/// Writes the stub that replaces an item: what was removed, the record that best matches the next steps (for JSON
/// results, kept as JSON so its fields stay together) and the item's critical values, those of the records and lines
/// most relevant to the next steps first.
/// </summary>
/// <remarks>
/// A flat list of the first critical values of a 9,000-token statement is its header; ranking the values by the
/// relevance of the record or line they come from keeps the amount due and the payee instead.
/// </remarks>
internal static class HistoryStub
{
    /// <summary>The largest best record a named-values stub still keeps.</summary>
    private const int SmallRecordTokens = 40;

    /// <summary>The least room for records besides the best one a stub has, whatever the item's size.</summary>
    private const int MinRecordRoom = 64;

    /// <summary>Strings longer than this (in characters) are cut to their lead in compact records.</summary>
    private const int LeadChars = 120;

    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    /// <summary>Builds the stub of <paramref name="state"/>.</summary>
    /// <param name="plan">The plan: referenced values and relevant terms.</param>
    /// <param name="state">The item.</param>
    /// <param name="detail">What is kept besides the referenced values.</param>
    /// <param name="maxValues">The most values listed (referenced values always are).</param>
    /// <returns>The stub text.</returns>
    public static string Build(HistoryPlan plan, ItemState state, StubDetail detail, int maxValues)
    {
        ContextItem item = state.Item;
        string text = item.Text;
        JsonDocument? owned = null;
        try
        {
            List<Segment>? segments = state.StubSegments;
            if (segments is not null)
            {
                // Scored already: the plan does not change during a call.
            }
            else if (!state.IsJson)
            {
                segments = LineSegments(text);
            }
            else
            {
                try
                {
                    JsonDocument document = state.JsonSession?.Document ?? (owned = JsonDocument.Parse(text));
                    segments = JsonSegments(document.RootElement);
                }
                catch (Exception ex) when (ex is JsonException or InvalidOperationException)
                {
                    // Not JSON after all, or a name or string with a lone surrogate escape: its lines will do.
                    segments = LineSegments(text);
                }
            }

            if (state.StubSegments is null)
            {
                foreach (Segment segment in segments)
                {
                    segment.Score(plan.ReferencedValues, plan.RelevantTerms);
                }

                // Kept for the item's next, smaller stub while the document they point into lives.
                state.StubSegments = owned is null ? segments : null;
            }

            return Build(plan, state, detail, maxValues, segments);
        }
        finally
        {
            owned?.Dispose();
        }
    }

    private static string Build(HistoryPlan plan, ItemState state, StubDetail detail, int maxValues, List<Segment> segments)
    {
        ContextItem item = state.Item;
        string text = item.Text;

        // The record naming most referenced values, kept whole as JSON; without any, the one record that shares most
        // terms with the next steps (the password of the app to log in to), when no other shares as many.
        Segment? best = null;
        int runnerUp = 0;
        foreach (Segment segment in segments)
        {
            if (segment.Record is null || segment.Rank == 0)
            {
                continue;
            }

            if (best is null || segment.Rank > best.Rank)
            {
                runnerUp = best?.Rank ?? 0;
                best = segment;
            }
            else
            {
                runnerUp = Math.Max(runnerUp, segment.Rank);
            }
        }

        if (best is not null && best.Named == 0 && runnerUp == best.Rank)
        {
            best = null;
        }

        ITokenCounter counter = plan.TokenCounter;
        var records = new List<string>();
        if (best is not null && detail != StubDetail.Bare)
        {
            string whole = Minified(best.Record!.Value, compact: false, plan);

            // A named-values stub keeps the record that names them, and a record matched by terms alone only when it
            // is about as small as a value list (the password of the app to log in to).
            if (detail != StubDetail.NamedValues || best.Named > 0 || counter.CountTokens(whole) <= SmallRecordTokens)
            {
                records.Add(whole);
            }
        }

        if (detail is StubDetail.Values or StubDetail.BestRecord && best is not null)
        {
            // Then the other relevant records in compact form (ids, names, amounts, dates, e-mails, the leads of
            // relevant text) while the stub stays within its share of the original.
            int room = Math.Max(MinRecordRoom, (state.OriginalTokens / (detail == StubDetail.Values ? 8 : 16)) - counter.CountTokens(records[0]));
            foreach (Segment segment in segments.Where(s => s.Record is not null && s.Rank > 0 && !ReferenceEquals(s, best))
                .OrderByDescending(s => s.Rank).ThenBy(s => s.Index))
            {
                string compact = Minified(segment.Record!.Value, compact: true, plan);
                int tokens = counter.CountTokens(compact);
                if (tokens > room)
                {
                    break;
                }

                records.Add(compact);
                room -= tokens;
            }
        }

        string kept = string.Join(' ', records);
        var values = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string value in plan.ReferencedValuesIn(text))
        {
            if (!kept.Contains(value, StringComparison.Ordinal) && seen.Add(value))
            {
                values.Add(value);
            }
        }

        if (detail == StubDetail.Values)
        {
            // Values of the most relevant records and lines first, then the rest in order.
            foreach (Segment segment in segments.OrderByDescending(s => s.Rank).ThenBy(s => s.Index))
            {
                foreach (string value in segment.Values)
                {
                    if (values.Count >= maxValues)
                    {
                        break;
                    }

                    if (!kept.Contains(value, StringComparison.Ordinal) && seen.Add(value))
                    {
                        values.Add(value);
                    }
                }
            }
        }

        StringBuilder stub = Header(item, state.OriginalTokens);
        if (records.Count > 0)
        {
            stub.Append(records.Count == 1 ? " best match: " : " best matches: ").AppendJoin(' ', records);
        }

        return stub.Append(Values(values)).ToString();
    }

    private static StringBuilder Header(ContextItem item, int tokens)
    {
        string what = item.Kind switch
        {
            ContextItemKind.ToolResult => $"{item.ToolName ?? "tool"} result",
            ContextItemKind.ToolCall => "assistant note",
            _ => $"earlier {item.Kind.ToString().ToLowerInvariant()} message",
        };
        return new StringBuilder().Append(CultureInfo.InvariantCulture, $"[{what} compressed away: {tokens} tokens]");
    }

    private static string Values(List<string> values) => values.Count == 0 ? string.Empty : " values: " + string.Join(", ", values);

    /// <summary>Lines of prose, each a segment.</summary>
    private static List<Segment> LineSegments(string text)
    {
        var segments = new List<Segment>();
        foreach (string line in text.Split('\n'))
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                var segment = new Segment(segments.Count, line, record: null);
                segment.Sources.Add((line, false));
                segments.Add(segment);
            }
        }

        return segments;
    }

    /// <summary>
    /// The records of a JSON document (the elements of its outermost arrays of objects), the lines of its multi-line
    /// strings, and one segment for every other value; keys are not values.
    /// </summary>
    private static List<Segment> JsonSegments(JsonElement root)
    {
        var rest = new Segment(0, string.Empty, record: null);
        var segments = new List<Segment> { rest };
        Visit(root, rest, inRecord: false, segments);
        return segments;
    }

    private static void Visit(JsonElement element, Segment current, bool inRecord, List<Segment> segments)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    Visit(property.Value, current, inRecord, segments);
                }

                break;
            case JsonValueKind.Array:
                foreach (JsonElement child in element.EnumerateArray())
                {
                    if (!inRecord && child.ValueKind is JsonValueKind.Object)
                    {
                        var segment = new Segment(segments.Count, child.GetRawText(), child);
                        segments.Add(segment);
                        Visit(child, segment, inRecord: true, segments);
                    }
                    else
                    {
                        Visit(child, current, inRecord, segments);
                    }
                }

                break;
            case JsonValueKind.String:
                string value = element.GetString() ?? string.Empty;
                if (!inRecord && value.Contains('\n', StringComparison.Ordinal))
                {
                    foreach (Segment line in LineSegments(value))
                    {
                        var segment = new Segment(segments.Count, line.Text.ToString(), record: null);
                        segment.Sources.AddRange(line.Sources);
                        segments.Add(segment);
                    }
                }
                else
                {
                    current.Sources.Add((value, false));
                    if (current.Record is null)
                    {
                        current.Text.Append(' ').Append(value);
                    }
                }

                break;
            case JsonValueKind.Number:
                current.Sources.Add((element.GetRawText(), true));
                if (current.Record is null)
                {
                    current.Text.Append(' ').Append(element.GetRawText());
                }

                break;
        }
    }

    /// <summary>
    /// Writes a record minified without nulls and with long prose reduced to its sentences that carry values;
    /// <paramref name="compact"/> keeps only essential fields (ids, names, amounts, dates, e-mails, status), fields
    /// holding a referenced value, and strings mentioning two relevant terms.
    /// </summary>
    private static string Minified(JsonElement element, bool compact, HistoryPlan plan)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            Write(element, writer, compact, plan);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Write(JsonElement element, Utf8JsonWriter writer, bool compact, HistoryPlan plan)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                int written = 0;
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    if (property.Value.ValueKind != JsonValueKind.Null && (!compact || KeepsField(property, plan)))
                    {
                        writer.WritePropertyName(property.Name);
                        Write(property.Value, writer, compact, plan);
                        written++;
                    }
                }

                if (written == 0 && compact)
                {
                    // No essential field: its first few scalars say what it is.
                    foreach (JsonProperty property in element.EnumerateObject().Where(p => p.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number).Take(3))
                    {
                        writer.WritePropertyName(property.Name);
                        Write(property.Value, writer, compact, plan);
                    }
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (JsonElement child in element.EnumerateArray())
                {
                    Write(child, writer, compact, plan);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                // Long prose keeps its sentences that carry values (the whole record's other fields are untouched).
                string value = element.GetString() ?? string.Empty;
                writer.WriteStringValue(value.Length > LeadChars && JsonStrings.MayBeProse(value)
                    ? JsonStrings.ValueSentences(value, [.. plan.ReferencedValuesIn(value)]) ?? value
                    : value);
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    private static bool KeepsField(JsonProperty property, HistoryPlan plan)
    {
        if (JsonKeyClassifier.IsEssential(property.Name))
        {
            return true;
        }

        string raw = property.Value.GetRawText();
        if (plan.ReferencedValuesIn(raw).Any())
        {
            return true;
        }

        return property.Value.ValueKind == JsonValueKind.String && HistoryPlan.CountWordsIn(raw, plan.RelevantTerms) >= 2;
    }

    /// <summary>A record or line and the critical values it holds.</summary>
    internal sealed class Segment(int index, string text, JsonElement? record)
    {
        private List<string>? _values;

        public int Index { get; } = index;

        public StringBuilder Text { get; } = new(text);

        public JsonElement? Record { get; } = record;

        /// <summary>Gets the strings the values come from, and numbers (raw: a value as written).</summary>
        public List<(string Text, bool Raw)> Sources { get; } = [];

        /// <summary>Gets the critical values, extracted when first asked for (most stubs never list them).</summary>
        public List<string> Values => _values ??= [.. Sources.SelectMany(s => s.Raw ? [s.Text] : CriticalValues.Extract(s.Text))];

        /// <summary>Gets how many distinct referenced values the segment names.</summary>
        public int Named { get; private set; }

        /// <summary>Gets the rank: referenced values dominate, relevant terms break ties.</summary>
        public int Rank { get; private set; }

        public void Score(IReadOnlyCollection<string> referenced, IReadOnlyCollection<string> terms)
        {
            string text = Text.ToString();
            int named = 0;
            foreach (string value in referenced)
            {
                named += text.Contains(value, StringComparison.Ordinal) ? 1 : 0;
            }

            int matched = 0;
            using var search = new IgnoreCaseText(text);
            foreach (string term in terms)
            {
                matched += search.Contains(term) ? 1 : 0;
            }

            Named = named;
            Rank = (1000 * named) + Math.Min(999, matched);
        }
    }
}
