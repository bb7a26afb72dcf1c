using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ContextPress.Context;
using Xunit;

namespace ContextPress.Tests.Context;

public class OpenAIChatFormatTests
{
    // A conversation using most of the format: developer role, named user, parts with an image and cache_control,
    // an assistant refusal field, a vendor field, two parallel tool calls with an extra field, and their results.
    private const string Conversation = """
        [
          {"role":"system","content":"You are terse."},
          {"role":"developer","content":"Use tools."},
          {"role":"user","name":"ana","content":[
            {"type":"text","text":"What is in this picture?","cache_control":{"type":"ephemeral"}},
            {"type":"image_url","image_url":{"url":"https://example.com/cat.png","detail":"low"}},
            {"type":"text","text":"And the weather?"}]},
          {"role":"assistant","content":null,"refusal":null,"x_vendor":{"trace":7},"tool_calls":[
            {"id":"call_a","type":"function","function":{"name":"describe_image","arguments":"{\"detail\":\"low\"}"},"x_index":0},
            {"id":"call_b","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}}]},
          {"role":"tool","tool_call_id":"call_a","content":"A cat on a mat."},
          {"role":"tool","tool_call_id":"call_b","content":[{"type":"text","text":"Sunny, 21C"}]},
          {"role":"assistant","content":"A cat; sunny."},
          {"role":"user","content":"Thanks!"},
          {"role":"assistant","content":"You're welcome."}
        ]
        """;

    [Fact]
    public void Parse_MapsRolesKindsTextAndTurns()
    {
        IReadOnlyList<ContextItem> items = OpenAIChatFormat.Parse(Conversation);

        Assert.Equal(
            [ContextItemKind.System, ContextItemKind.System, ContextItemKind.User, ContextItemKind.ToolCall,
             ContextItemKind.ToolResult, ContextItemKind.ToolResult, ContextItemKind.Assistant, ContextItemKind.User,
             ContextItemKind.Assistant],
            items.Select(item => item.Kind));
        Assert.Equal(
            [ContextRole.System, ContextRole.Developer, ContextRole.User, ContextRole.Assistant, ContextRole.Tool,
             ContextRole.Tool, ContextRole.Assistant, ContextRole.User, ContextRole.Assistant],
            items.Select(item => item.Role));
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 1, 1], items.Select(item => item.Turn));

        Assert.Equal("What is in this picture?\nAnd the weather?", items[2].Text);
        Assert.Equal("ana", items[2].AuthorName);
        Assert.Equal(string.Empty, items[3].Text);
        Assert.Equal(
            [new ToolCall("call_a", "describe_image", "{\"detail\":\"low\"}"), new ToolCall("call_b", "weather", "{\"city\":\"Paris\"}")],
            items[3].ToolCalls);
        Assert.Equal(("call_a", "describe_image", "A cat on a mat."), (items[4].ToolCallId, items[4].ToolName, items[4].Text));
        Assert.Equal(("call_b", "weather", "Sunny, 21C"), (items[5].ToolCallId, items[5].ToolName, items[5].Text));
        Assert.All(items, item => Assert.IsType<JsonElement>(item.Source));
        Assert.Empty(ContextValidation.FindProblems(items));
    }

    [Fact]
    public void Parse_TurnsStartAtZeroAndCountUserMessages()
    {
        IReadOnlyList<ContextItem> items = OpenAIChatFormat.Parse("""
            [{"role":"system","content":"s"},{"role":"assistant","content":"greeting"},
             {"role":"user","content":"1"},{"role":"assistant","content":"a"},
             {"role":"user","content":"2"},{"role":"user","content":"3"},{"role":"assistant","content":"b"}]
            """);

        Assert.Equal([0, 0, 0, 0, 1, 2, 2], items.Select(item => item.Turn));
    }

    [Fact]
    public void Parse_AcceptsRequestBodyWithMessages()
    {
        IReadOnlyList<ContextItem> items = OpenAIChatFormat.Parse("""
            {"model":"gpt-4o","temperature":0,"messages":[{"role":"user","content":"hi"}]}
            """);

        Assert.Equal(ContextItem.User("hi"), Assert.Single(items));
    }

    [Fact]
    public void Parse_JsonElementOverload_OutlivesTheDocument()
    {
        IReadOnlyList<ContextItem> items;
        using (JsonDocument document = JsonDocument.Parse(Conversation))
        {
            items = OpenAIChatFormat.Parse(document.RootElement);
        }

        // Sources are clones, so writing after the document is disposed still works.
        JsonAssert.Equivalent(Conversation, OpenAIChatFormat.ToJson(items));
    }

    [Fact]
    public void Parse_LegacyFunctionRole_PairsWithFunctionCall()
    {
        const string json = """
            [{"role":"user","content":"weather?"},
             {"role":"assistant","content":null,"function_call":{"name":"weather","arguments":"{\"city\":\"Oslo\"}"}},
             {"role":"function","name":"weather","content":"Snow"}]
            """;

        IReadOnlyList<ContextItem> items = OpenAIChatFormat.Parse(json);

        ToolCall call = Assert.Single(items[1].ToolCalls);
        Assert.Equal(ContextItemKind.ToolCall, items[1].Kind);
        Assert.Equal(("weather", "{\"city\":\"Oslo\"}"), (call.Name, call.ArgumentsJson));
        Assert.Equal((ContextItemKind.ToolResult, ContextRole.Tool), (items[2].Kind, items[2].Role));
        Assert.Equal((call.CallId, "weather", "Snow"), (items[2].ToolCallId, items[2].ToolName, items[2].Text));
        Assert.Empty(ContextValidation.FindProblems(items));

        // Written back in the legacy shape, not as tool_calls.
        JsonAssert.Equivalent(json, OpenAIChatFormat.ToJson(items));

        string changed = OpenAIChatFormat.ToJson(
            [items[0], items[1] with { ToolCalls = [call with { ArgumentsJson = "{\"city\":\"Bergen\"}" }] }, items[2]]);
        JsonAssert.Equivalent(json.Replace("Oslo", "Bergen", StringComparison.Ordinal), changed);
    }

    [Theory]
    [InlineData("[{\"role\":\"user\",\"content\":\"hi\"", "not valid JSON")]
    [InlineData("\"just a string\"", "found a string")]
    [InlineData("{\"model\":\"x\"}", "no 'messages' array")]
    [InlineData("{\"messages\":{}}", "'messages' property must be an array")]
    [InlineData("[{\"role\":\"user\",\"content\":\"a\"}, 42]", "Message 1: expected a JSON object but found a number")]
    [InlineData("[{\"role\":\"user\",\"content\":\"a\"}, {\"content\":\"b\"}]", "Message 1: the message has no 'role'")]
    [InlineData("[{\"role\":7}]", "Message 0: 'role' must be a string")]
    [InlineData("[{\"role\":\"robot\",\"content\":\"x\"}]", "Message 0: unknown role 'robot'")]
    [InlineData("[{\"role\":\"tool\",\"content\":\"x\"}]", "Message 0: a tool message needs a string 'tool_call_id'")]
    [InlineData("[{\"role\":\"function\",\"content\":\"x\"}]", "Message 0: a function message needs a string 'name'")]
    [InlineData("[{\"role\":\"assistant\",\"tool_calls\":{}}]", "Message 0: 'tool_calls' must be an array")]
    [InlineData("[{\"role\":\"assistant\",\"tool_calls\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}]", "'tool_calls[0]' has no string 'id'")]
    [InlineData("[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\"}]}]", "'tool_calls[0]' has no 'function' object")]
    [InlineData("[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":{}}}]}]", "'tool_calls[0].function.arguments' must be a string")]
    [InlineData("[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"type\":\"custom\",\"custom\":{}}]}]", "only 'function' tool calls")]
    [InlineData("[{\"role\":\"user\",\"content\":5}]", "Message 0: 'content' must be a string, null or an array")]
    [InlineData("[{\"role\":\"user\",\"content\":[\"hi\"]}]", "Message 0: content part 0 must be an object")]
    [InlineData("[{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}]", "Message 0: text content part 0 has no string 'text'")]
    public void Parse_BadInput_ThrowsFormatExceptionNamingTheProblem(string json, string expectedMessagePart)
    {
        FormatException ex = Assert.Throws<FormatException>(() => OpenAIChatFormat.Parse(json));

        Assert.Contains(expectedMessagePart, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RoundTrip_Unchanged_GivesEqualItemsAndEquivalentJson()
    {
        IReadOnlyList<ContextItem> items = OpenAIChatFormat.Parse(Conversation);

        string json = OpenAIChatFormat.ToJson(items);

        JsonAssert.Equivalent(Conversation, json);
        Assert.Equal(items, OpenAIChatFormat.Parse(json));
    }

    [Fact]
    public void ChangedStringContent_ReplacesOnlyTheContent()
    {
        const string json = """[{"role":"tool","tool_call_id":"c1","name":"grep","x_cached":true,"content":"very long output"}]""";
        ContextItem item = Assert.Single(OpenAIChatFormat.Parse(json));

        string written = OpenAIChatFormat.ToJson([item.WithText("short")]);

        JsonAssert.Equivalent("""[{"role":"tool","tool_call_id":"c1","name":"grep","x_cached":true,"content":"short"}]""", written);
    }

    [Fact]
    public void ChangedPartsContent_CollapsesTextPartsAndKeepsOtherParts()
    {
        IReadOnlyList<ContextItem> items = OpenAIChatFormat.Parse(Conversation);

        string written = OpenAIChatFormat.ToJson([items[2].WithText("Picture? Weather?")]);

        JsonAssert.Equivalent(
            """
            [{"role":"user","name":"ana","content":[
              {"type":"text","text":"Picture? Weather?","cache_control":{"type":"ephemeral"}},
              {"type":"image_url","image_url":{"url":"https://example.com/cat.png","detail":"low"}}]}]
            """,
            written);
    }

    [Fact]
    public void TextAddedToPartsWithoutText_GoesFirst_AndEmptiedTextDropsTextParts()
    {
        const string json = """
            [{"role":"user","content":[{"type":"image_url","image_url":{"url":"u"}}]},
             {"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"u"}}]},
             {"role":"user","content":[{"type":"text","text":"only text"}]}]
            """;
        IReadOnlyList<ContextItem> items = OpenAIChatFormat.Parse(json);

        string written = OpenAIChatFormat.ToJson([items[0].WithText("caption"), items[1].WithText(""), items[2].WithText("")]);

        JsonAssert.Equivalent(
            """
            [{"role":"user","content":[{"type":"text","text":"caption"},{"type":"image_url","image_url":{"url":"u"}}]},
             {"role":"user","content":[{"type":"image_url","image_url":{"url":"u"}}]},
             {"role":"user","content":""}]
            """,
            written);
    }

    [Fact]
    public void ChangedToolCalls_RewriteArgumentsKeepExtraFieldsAndDropRemovedCalls()
    {
        IReadOnlyList<ContextItem> items = OpenAIChatFormat.Parse(Conversation);
        ContextItem calls = items[3];
        ContextItem changed = calls with { ToolCalls = [calls.ToolCalls[0] with { ArgumentsJson = "{}" }] };

        string written = OpenAIChatFormat.ToJson([changed]);

        JsonAssert.Equivalent(
            """
            [{"role":"assistant","content":null,"refusal":null,"x_vendor":{"trace":7},"tool_calls":[
              {"id":"call_a","type":"function","function":{"name":"describe_image","arguments":"{}"},"x_index":0}]}]
            """,
            written);
    }

    [Fact]
    public void ItemsWithoutSource_AreWrittenFromTheirFields()
    {
        ContextItem[] items =
        [
            ContextItem.System("sys"),
            ContextItem.Developer("dev"),
            ContextItem.User("hi") with { AuthorName = "bo" },
            ContextItem.ToolCallRequest([new ToolCall("c1", "f", "{\"a\":1}")]),
            ContextItem.ToolResult("c1", "f", "ok"),
            ContextItem.Assistant("done"),
        ];

        string written = OpenAIChatFormat.ToJson(items);

        JsonAssert.Equivalent(
            """
            [{"role":"system","content":"sys"},
             {"role":"developer","content":"dev"},
             {"role":"user","content":"hi","name":"bo"},
             {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]},
             {"role":"tool","content":"ok","tool_call_id":"c1"},
             {"role":"assistant","content":"done"}]
            """,
            written);
        Assert.Equal(items, OpenAIChatFormat.Parse(written));
    }

    [Fact]
    public void MixedItems_ParsedAndNew_WriteInOrder()
    {
        IReadOnlyList<ContextItem> items = OpenAIChatFormat.Parse("""[{"role":"user","content":"q","x":1}]""");

        string written = OpenAIChatFormat.ToJson([ContextItem.Document("retrieved doc"), .. items]);

        JsonAssert.Equivalent("""[{"role":"user","content":"retrieved doc"},{"role":"user","content":"q","x":1}]""", written);
    }

    [Fact]
    public void UnicodeText_RoundTripsUnescaped()
    {
        const string chinese = "你好，世界";
        const string emoji = "Deploy 🚀 done 👍🏽";
        const string hebrew = "שלום עולם";
        string json = JsonSerializer.Serialize(new object[]
        {
            new { role = "user", content = chinese },
            new { role = "assistant", content = (string?)null, tool_calls = new[] { new { id = "c", type = "function", function = new { name = "say", arguments = "{\"text\":\"" + hebrew + "\"}" } } } },
            new { role = "tool", tool_call_id = "c", content = emoji },
        });

        IReadOnlyList<ContextItem> items = OpenAIChatFormat.Parse(json);
        string written = OpenAIChatFormat.ToJson(items);

        Assert.Equal(chinese, items[0].Text);
        Assert.Equal(emoji, items[2].Text);
        Assert.Contains(hebrew, items[1].ToolCalls[0].ArgumentsJson, StringComparison.Ordinal);
        Assert.Contains(chinese, written, StringComparison.Ordinal);
        Assert.Contains(emoji, written, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u", written, StringComparison.Ordinal);
        Assert.Equal(items, OpenAIChatFormat.Parse(written));

        string rewritten = OpenAIChatFormat.ToJson([items[0].WithText("再见 👋 " + hebrew)]);
        Assert.Equal("再见 👋 " + hebrew, Assert.Single(OpenAIChatFormat.Parse(rewritten)).Text);
        Assert.Contains("再见 👋", rewritten, StringComparison.Ordinal);
    }

    [Fact]
    public void SpecialCharacters_AreEscapedAsJsonRequires()
    {
        string text = "quote \" backslash \\ newline \n tab \t bell \u0007 end";
        ContextItem item = ContextItem.User(text);

        string written = OpenAIChatFormat.ToJson([item]);

        Assert.Equal(text, Assert.Single(OpenAIChatFormat.Parse(written)).Text);
        Assert.Contains("\\u0007", written, StringComparison.Ordinal);
    }

    [Fact]
    public void LoneSurrogate_IsReplacedLikeUtf8EncodingDoes()
    {
        string written = OpenAIChatFormat.ToJson([ContextItem.User("broken \ud800 pair")]);

        Assert.Equal("broken \uFFFD pair", Assert.Single(OpenAIChatFormat.Parse(written)).Text);
    }

    [Fact]
    public void ToJson_Indented_IndentsAndMeansTheSame()
    {
        IReadOnlyList<ContextItem> items = OpenAIChatFormat.Parse(Conversation);

        string compact = OpenAIChatFormat.ToJson(items);
        string indented = OpenAIChatFormat.ToJson(items, indented: true);

        Assert.DoesNotContain('\n', compact);
        Assert.Contains('\n', indented);
        JsonAssert.Equivalent(compact, indented);
    }

    [Fact]
    public void Write_UsesTheCallersWriter()
    {
        IReadOnlyList<ContextItem> items = OpenAIChatFormat.Parse("""[{"role":"user","content":"hi"}]""");
        ArrayBufferWriter<byte> buffer = new();

        using (Utf8JsonWriter writer = new(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("model", "m");
            writer.WritePropertyName("messages");
            OpenAIChatFormat.Write(writer, items);
            writer.WriteEndObject();
        }

        JsonAssert.Equivalent("""{"model":"m","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void ToolMessageWithUnknownCallId_IsFoundByValidation()
    {
        IReadOnlyList<ContextItem> items = OpenAIChatFormat.Parse("""
            [{"role":"user","content":"q"},
             {"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},
             {"role":"tool","tool_call_id":"c1","content":"ok"},
             {"role":"tool","tool_call_id":"c9","content":"stray"}]
            """);

        Assert.Null(items[3].ToolName);
        Assert.Contains("'c9'", Assert.Single(ContextValidation.FindProblems(items)), StringComparison.Ordinal);
    }
}
