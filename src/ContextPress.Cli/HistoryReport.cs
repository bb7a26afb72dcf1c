using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using ContextPress.Context;
using ContextPress.History;

namespace ContextPress.Cli;

/// <summary>The output JSON, the <c>--report</c> JSON and the stderr summary line of <c>compress-history</c>.</summary>
internal static class HistoryReport
{
    /// <summary>Writer options of everything <c>compress-history</c> writes: non-ASCII text stays readable.</summary>
    public static JsonWriterOptions WriterOptions(bool indented) =>
        new() { Indented = indented, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = 256 };

    /// <summary>
    /// Writes the compressed conversation in the input's shape: an array of messages for an array input; for an object
    /// input, the object with <c>messages</c> replaced and <c>plan</c>, <c>budget_tokens</c>, <c>target_ratio</c> removed.
    /// </summary>
    public static void WriteConversation(Utf8JsonWriter json, JsonElement root, IReadOnlyList<ContextItem> items)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            OpenAIChatFormat.Write(json, items);
            return;
        }

        json.WriteStartObject();
        bool messagesWritten = false;
        foreach (JsonProperty property in root.EnumerateObject())
        {
            if (property.NameEquals("messages"))
            {
                if (!messagesWritten)
                {
                    json.WritePropertyName("messages");
                    OpenAIChatFormat.Write(json, items);
                    messagesWritten = true;
                }
            }
            else if (!HistoryInput.OptionProperties.Contains(property.Name))
            {
                property.WriteTo(json);
            }
        }

        json.WriteEndObject();
    }

    /// <summary>Returns the compressed conversation as UTF-8 JSON followed by a line feed.</summary>
    public static byte[] ConversationToJson(JsonElement root, IReadOnlyList<ContextItem> items, bool indented)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions(indented)))
        {
            WriteConversation(json, root, items);
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Writes the report object:
    /// <c>{ ["source",] "encoding", "messagesBefore", "messagesAfter", "tokensBefore", "tokensAfter", "budgetTokens",
    /// "requestedBudgetTokens", "requestedTargetRatio", "budgetFeasible", "rate", "plan", "lookaheadSteps", "elapsedMs",
    /// "actions": { "keep", "compress", "stub", "drop" },
    /// "items": [ { "index", "kind", "action", "tokensBefore", "tokensAfter", "protected", "relevance" } ] }</c>.
    /// <c>plan</c> is null when the compressor inferred it, else <c>{ "steps", "currentStep" }</c>;
    /// <c>rate</c> is tokensAfter / tokensBefore (1 for an empty history).
    /// </summary>
    public static void WriteReport(Utf8JsonWriter json, ContextCompressionResult result, ContextCompressionOptions options, int messagesBefore, string? source = null)
    {
        json.WriteStartObject();
        if (source is not null)
        {
            json.WriteString("source", source);
        }

        json.WriteString("encoding", result.EncodingName);
        json.WriteNumber("messagesBefore", messagesBefore);
        json.WriteNumber("messagesAfter", result.Items.Count);
        json.WriteNumber("tokensBefore", result.TokensBefore);
        json.WriteNumber("tokensAfter", result.TokensAfter);
        json.WriteNumber("budgetTokens", result.BudgetTokens);
        if (options.BudgetTokens is int requestedBudget)
        {
            json.WriteNumber("requestedBudgetTokens", requestedBudget);
            json.WriteNull("requestedTargetRatio");
        }
        else
        {
            json.WriteNull("requestedBudgetTokens");
            json.WriteNumber("requestedTargetRatio", options.TargetRatio);
        }

        json.WriteBoolean("budgetFeasible", result.BudgetFeasible);
        json.WriteNumber("rate", result.TokensBefore == 0 ? 1.0 : Math.Round((double)result.TokensAfter / result.TokensBefore, 6));
        if (options.Plan is { } plan)
        {
            json.WriteStartObject("plan");
            json.WriteNumber("steps", plan.Steps.Count);
            json.WriteNumber("currentStep", plan.CurrentStep);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("plan");
        }

        json.WriteNumber("lookaheadSteps", options.LookaheadSteps);
        json.WriteNumber("elapsedMs", Milliseconds(result.Elapsed));

        json.WriteStartObject("actions");
        foreach (ContextAction action in Enum.GetValues<ContextAction>())
        {
            json.WriteNumber(Name(action), result.ItemReports.Count(r => r.Action == action));
        }

        json.WriteEndObject();

        json.WriteStartArray("items");
        foreach (ContextItemReport item in result.ItemReports)
        {
            json.WriteStartObject();
            json.WriteNumber("index", item.Index);
            json.WriteString("kind", Name(item.Kind));
            json.WriteString("action", Name(item.Action));
            json.WriteNumber("tokensBefore", item.TokensBefore);
            json.WriteNumber("tokensAfter", item.TokensAfter);
            json.WriteBoolean("protected", item.Protected);
            json.WriteNumber("relevance", double.IsFinite(item.Relevance) ? Math.Round(item.Relevance, 4) : 0);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>Returns the indented report of one conversation as UTF-8 JSON.</summary>
    public static byte[] ReportToJson(ContextCompressionResult result, ContextCompressionOptions options, int messagesBefore, string source)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions(indented: true)))
        {
            WriteReport(json, result, options, messagesBefore, source);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>One line, for example <c>compressed 8123 -> 4010 tokens (budget 4061) in 3.2 ms</c>.</summary>
    public static string Summary(ContextCompressionResult result)
    {
        string line = string.Create(
            CultureInfo.InvariantCulture,
            $"compressed {result.TokensBefore} -> {result.TokensAfter} tokens (budget {result.BudgetTokens}) in {result.Elapsed.TotalMilliseconds:0.0} ms");
        if (!result.BudgetFeasible)
        {
            line += "; budget not met: what must be kept (protected messages, values the next steps need) takes more";
        }

        return line;
    }

    /// <summary>The JSON name of a kind or action: <c>tool_call</c>, <c>stub</c>, ...</summary>
    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    /// <summary>Milliseconds rounded to microseconds.</summary>
    public static double Milliseconds(TimeSpan elapsed) => Math.Round(elapsed.TotalMilliseconds, 3);
}
