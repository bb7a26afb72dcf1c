using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ContextPress.Tests.Cli;

/// <summary>OpenAI-format agent histories for the <c>compress-history</c> tests, and checks on their output.</summary>
internal static class HistoryFixtures
{
    private const string LongDescription =
        "The warehouse management system reported that the parcel was scanned at the regional sorting facility and then " +
        "loaded onto the outbound trailer, but the carrier did not record a departure scan. Packages in this situation are " +
        "usually found within a few business days once the trailer is unloaded and the contents are re-sorted, although " +
        "occasionally the label is damaged and the parcel is moved to the exceptions area for manual handling by the staff.";

    /// <summary>
    /// A history: system prompt, user request, <paramref name="toolCalls"/> assistant tool calls each answered by a JSON
    /// result with ids, amounts, dates, e-mails and long descriptions, an assistant answer and a user follow-up.
    /// </summary>
    public static JsonArray Conversation(int toolCalls = 6, string tag = "A")
    {
        var messages = new JsonArray
        {
            new JsonObject
            {
                ["role"] = "system",
                ["content"] = "You are Juniper, the support agent of Larkspur Outdoor Supply. Verify the customer before discussing orders. " +
                    "Refunds up to USD 250.00 need no approval. Never invent order numbers, amounts or dates.",
            },
            new JsonObject
            {
                ["role"] = "user",
                ["content"] = $"Hi, I'm Priya Raman (priya.raman@example.com). Order HAT{tag}136 was charged twice, $312.47 each, and a package is missing.",
            },
        };

        for (int i = 0; i < toolCalls; i++)
        {
            string callId = string.Create(CultureInfo.InvariantCulture, $"call_{tag}{i:00}x7Q");
            messages.Add(new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = i % 2 == 0 ? null : $"Checking step {i}.",
                ["tool_calls"] = new JsonArray
                {
                    new JsonObject
                    {
                        ["id"] = callId,
                        ["type"] = "function",
                        ["function"] = new JsonObject
                        {
                            ["name"] = i % 3 == 0 ? "get_order" : i % 3 == 1 ? "list_payments" : "get_shipment_tracking",
                            ["arguments"] = $$"""{"order_id": "HAT{{tag}}{{136 + i}}"}""",
                        },
                    },
                },
            });
            var result = new JsonObject
            {
                ["order_id"] = $"HAT{tag}{136 + i}",
                ["customer_email"] = "priya.raman@example.com",
                ["amount"] = 312.47 + i,
                ["placed_at"] = string.Create(CultureInfo.InvariantCulture, $"2024-11-{3 + i:00}T19:42:10-07:00"),
                ["charge_id"] = string.Create(CultureInfo.InvariantCulture, $"ch_3OqZ8{i}LkP2x9Tq1b"),
                ["status"] = i % 2 == 0 ? "captured" : "in_transit",
                ["description"] = LongDescription,
                ["notes"] = new JsonArray(LongDescription, "Customer prefers e-mail. " + LongDescription),
            };
            messages.Add(new JsonObject
            {
                ["role"] = "tool",
                ["tool_call_id"] = callId,
                ["content"] = result.ToJsonString(),
            });
        }

        messages.Add(new JsonObject
        {
            ["role"] = "assistant",
            ["content"] = $"Priya, I refunded the duplicate charge of $312.47 on HAT{tag}136 (refund re_3OsA02LkP2x9Tq7c) and opened case LOS-88452 for the missing package.",
        });
        messages.Add(new JsonObject
        {
            ["role"] = "user",
            ["content"] = $"Thanks! Can you also check whether order QK{tag}7720 from October, $89.10, was charged twice?",
        });
        return messages;
    }

    /// <summary>Parses stdout or a file's text as JSON.</summary>
    public static JsonElement Parse(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>Asserts what every compressed history must keep: the system message first and unchanged, the last user
    /// message unchanged, and every tool message after the call with its id (and every call answered).</summary>
    public static void AssertValidCompression(JsonElement input, JsonElement output)
    {
        Assert.Equal(JsonValueKind.Array, output.ValueKind);
        JsonElement[] inputs = [.. input.EnumerateArray()];
        JsonElement[] outputs = [.. output.EnumerateArray()];
        Assert.NotEmpty(outputs);

        Assert.Equal("system", outputs[0].GetProperty("role").GetString());
        Assert.True(JsonElement.DeepEquals(inputs[0], outputs[0]), $"system message changed: {outputs[0]}");

        JsonElement lastUserIn = inputs.Last(m => Role(m) == "user");
        JsonElement lastUserOut = outputs.Last(m => Role(m) == "user");
        Assert.True(JsonElement.DeepEquals(lastUserIn, lastUserOut), $"last user message changed: {lastUserOut}");

        var calls = new HashSet<string>(StringComparer.Ordinal);
        var answered = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonElement message in outputs)
        {
            if (message.TryGetProperty("tool_calls", out JsonElement toolCalls) && toolCalls.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement call in toolCalls.EnumerateArray())
                {
                    Assert.True(calls.Add(call.GetProperty("id").GetString()!));
                }
            }

            if (Role(message) == "tool")
            {
                string id = message.GetProperty("tool_call_id").GetString()!;
                Assert.True(calls.Contains(id), $"tool message for '{id}' comes before its call or has none");
                Assert.True(answered.Add(id), $"tool call '{id}' answered twice");
            }
        }

        Assert.Equal(calls.Order(StringComparer.Ordinal), answered.Order(StringComparer.Ordinal));
    }

    /// <summary>Asserts that a <c>--report</c> (or a jsonl line's <c>report</c>) agrees with itself, the input and the output.</summary>
    public static void AssertConsistentReport(JsonElement report, JsonElement input, JsonElement output)
    {
        int messagesBefore = input.GetArrayLength();
        int messagesAfter = output.GetArrayLength();
        Assert.Equal(messagesBefore, report.GetProperty("messagesBefore").GetInt32());
        Assert.Equal(messagesAfter, report.GetProperty("messagesAfter").GetInt32());
        Assert.False(string.IsNullOrEmpty(report.GetProperty("encoding").GetString()));
        Assert.True(report.GetProperty("elapsedMs").GetDouble() >= 0);

        int tokensBefore = report.GetProperty("tokensBefore").GetInt32();
        int tokensAfter = report.GetProperty("tokensAfter").GetInt32();
        int budget = report.GetProperty("budgetTokens").GetInt32();
        Assert.True(tokensBefore > 0);
        Assert.InRange(tokensAfter, 0, tokensBefore);
        if (report.GetProperty("budgetFeasible").GetBoolean())
        {
            Assert.True(tokensAfter <= budget, $"{tokensAfter} > budget {budget}");
        }

        JsonElement[] items = [.. report.GetProperty("items").EnumerateArray()];
        Assert.Equal(messagesBefore, items.Length);
        string[] kinds = ["system", "user", "assistant", "tool_call", "tool_result", "document", "plan_note"];
        string[] actions = ["keep", "compress", "stub", "drop"];
        int kept = 0;
        for (int i = 0; i < items.Length; i++)
        {
            JsonElement item = items[i];
            Assert.Equal(i, item.GetProperty("index").GetInt32());
            string kind = item.GetProperty("kind").GetString()!;
            string action = item.GetProperty("action").GetString()!;
            Assert.Contains(kind, kinds);
            Assert.Contains(action, actions);
            Assert.Equal(ExpectedKind(input[i]), kind);
            int before = item.GetProperty("tokensBefore").GetInt32();
            int after = item.GetProperty("tokensAfter").GetInt32();
            Assert.True(before >= 0 && after >= 0);
            Assert.InRange(item.GetProperty("relevance").GetDouble(), 0.0, 1.0);
            if (action == "drop")
            {
                Assert.Equal(0, after);
            }
            else
            {
                kept++;
            }

            if (action == "keep")
            {
                Assert.Equal(before, after);
            }

            if (kind == "system")
            {
                Assert.Equal("keep", action);
                Assert.True(item.GetProperty("protected").GetBoolean());
            }
        }

        Assert.Equal(messagesAfter, kept);
        Assert.Equal(tokensBefore, items.Sum(i => i.GetProperty("tokensBefore").GetInt32()));
        Assert.Equal(tokensAfter, items.Sum(i => i.GetProperty("tokensAfter").GetInt32()));
        JsonElement counts = report.GetProperty("actions");
        Assert.Equal(messagesBefore, actions.Sum(a => counts.GetProperty(a).GetInt32()));
        Assert.Equal(items.Count(i => i.GetProperty("action").GetString() == "drop"), counts.GetProperty("drop").GetInt32());
    }

    private static string? Role(JsonElement message) => message.GetProperty("role").GetString();

    private static string ExpectedKind(JsonElement message) => Role(message) switch
    {
        "system" or "developer" => "system",
        "user" => "user",
        "tool" or "function" => "tool_result",
        "assistant" when message.TryGetProperty("tool_calls", out JsonElement calls) && calls.ValueKind == JsonValueKind.Array && calls.GetArrayLength() > 0 => "tool_call",
        _ => "assistant",
    };
}
