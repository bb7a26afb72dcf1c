using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ContextPress.Context;

namespace ContextPress.History;

/// <summary>What a stub keeps besides the values the next steps name.</summary>
internal enum StubDetail
{
    /// <summary>The best-matching record and up to the maximum of critical values, the most relevant first.</summary>
    Values,

    /// <summary>The best-matching record.</summary>
    BestRecord,

    /// <summary>Nothing more.</summary>
    NamedValues,
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
        if (detail == StubDetail.NamedValues)
        {
            return Header(item, state.OriginalTokens).Append(Values(plan.ReferencedValuesIn(text).ToList())).ToString();
        }

        List<Segment> segments = state.IsJson ? JsonSegments(text, state.JsonSession?.Document) : LineSegments(text);
        foreach (Segment segment in segments)
        {
            segment.Score(plan.ReferencedValues, plan.RelevantTerms);
        }

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

        var values = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string value in plan.ReferencedValuesIn(text))
        {
            if ((best?.Record is null || !best.Record.Contains(value, StringComparison.Ordinal)) && seen.Add(value))
            {
                values.Add(value);
            }
        }

        if (detail == StubDetail.Values)
        {
            // Values of the most relevant records and lines first, then the rest in order.
            int[] order = [.. Enumerable.Range(0, segments.Count).OrderByDescending(i => segments[i].Rank).ThenBy(i => i)];
            foreach (int index in order)
            {
                if (ReferenceEquals(segments[index], best))
                {
                    continue;
                }

                foreach (string value in segments[index].Values)
                {
                    if (values.Count >= maxValues)
                    {
                        break;
                    }

                    if ((best?.Record is null || !best.Record.Contains(value, StringComparison.Ordinal)) && seen.Add(value))
                    {
                        values.Add(value);
                    }
                }
            }
        }

        StringBuilder stub = Header(item, state.OriginalTokens);
        if (best?.Record is not null)
        {
            stub.Append(" best match: ").Append(best.Record);
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
                var segment = new Segment(line, record: null);
                segment.Values.AddRange(CriticalValues.Extract(line));
                segments.Add(segment);
            }
        }

        return segments;
    }

    /// <summary>
    /// The records of a JSON document (the elements of its outermost arrays of objects), the lines of its multi-line
    /// strings, and one segment for every other value; keys are not values.
    /// </summary>
    private static List<Segment> JsonSegments(string json, JsonDocument? parsed)
    {
        var segments = new List<Segment>();
        try
        {
            using JsonDocument? owned = parsed is null ? JsonDocument.Parse(json) : null;
            var rest = new Segment(string.Empty, record: null);
            segments.Add(rest);
            Visit((parsed ?? owned!).RootElement, rest, inRecord: false, segments);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not JSON after all, or a name or string with a lone surrogate escape: fall back to its lines.
            return LineSegments(json);
        }

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
                        string record = Minified(child);
                        var segment = new Segment(record, record);
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
                    segments.AddRange(LineSegments(value));
                }
                else
                {
                    current.Values.AddRange(CriticalValues.Extract(value));
                    current.Text.Append(' ').Append(value);
                }

                break;
            case JsonValueKind.Number:
                current.Values.Add(element.GetRawText());
                current.Text.Append(' ').Append(element.GetRawText());
                break;
        }
    }

    private static string Minified(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            WriteWithoutNulls(element, writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteWithoutNulls(JsonElement element, Utf8JsonWriter writer)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    if (property.Value.ValueKind != JsonValueKind.Null)
                    {
                        writer.WritePropertyName(property.Name);
                        WriteWithoutNulls(property.Value, writer);
                    }
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (JsonElement child in element.EnumerateArray())
                {
                    WriteWithoutNulls(child, writer);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    /// <summary>A record or line and the critical values it holds.</summary>
    private sealed class Segment(string text, string? record)
    {
        public StringBuilder Text { get; } = new(text);

        public string? Record { get; } = record;

        public List<string> Values { get; } = [];

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
            foreach (string term in terms)
            {
                matched += text.Contains(term, StringComparison.OrdinalIgnoreCase) ? 1 : 0;
            }

            Named = named;
            Rank = (1000 * named) + Math.Min(999, matched);
        }
    }
}
