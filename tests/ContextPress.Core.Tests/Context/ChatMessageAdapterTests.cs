using System.Text.Json;
using ContextPress.Context;
using Microsoft.Extensions.AI;
using Xunit;

namespace ContextPress.Tests.Context;

public class ChatMessageAdapterTests
{
    private static readonly byte[] s_png = [0x89, 0x50, 0x4E, 0x47];

    /// <summary>A conversation with an image, two parallel calls answered in one tool message, and a second turn.</summary>
    private static List<ChatMessage> CreateConversation() =>
    [
        new(ChatRole.System, "You are terse."),
        new(ChatRole.User, [new TextContent("What is this?"), new DataContent(s_png, "image/png"), new UriContent("https://example.com/a.png", "image/png")]),
        new(ChatRole.Assistant, [
            new TextContent("Checking."),
            new FunctionCallContent("call_a", "describe", new Dictionary<string, object?> { ["detail"] = "low", ["city"] = "Zürich 東京" }),
            new FunctionCallContent("call_b", "weather", new Dictionary<string, object?> { ["city"] = "Paris" }),
        ])
        { MessageId = "m3", RawRepresentation = "raw-assistant" },
        new(ChatRole.Tool, [
            new FunctionResultContent("call_a", "A cat."),
            new FunctionResultContent("call_b", new Dictionary<string, object> { ["temp"] = 21, ["sky"] = "sunny ☀" }),
        ]),
        new(ChatRole.Assistant, "A cat; sunny."),
        new(ChatRole.User, "Thanks"),
        new(ChatRole.Assistant, "You're welcome."),
    ];

    [Fact]
    public void ToContextItems_MapsKindsRolesTurnsCallsAndResults()
    {
        IReadOnlyList<ContextItem> items = ChatMessageAdapter.ToContextItems(CreateConversation());

        Assert.Equal(
            [ContextItemKind.System, ContextItemKind.User, ContextItemKind.ToolCall, ContextItemKind.ToolResult,
             ContextItemKind.ToolResult, ContextItemKind.Assistant, ContextItemKind.User, ContextItemKind.Assistant],
            items.Select(item => item.Kind));
        Assert.Equal([0, 0, 0, 0, 0, 0, 1, 1], items.Select(item => item.Turn));
        Assert.Equal("What is this?", items[1].Text);
        Assert.Equal("Checking.", items[2].Text);
        Assert.Equal(
            [new ToolCall("call_a", "describe", "{\"detail\":\"low\",\"city\":\"Zürich 東京\"}"), new ToolCall("call_b", "weather", "{\"city\":\"Paris\"}")],
            items[2].ToolCalls);
        Assert.Equal(("call_a", "describe", "A cat."), (items[3].ToolCallId, items[3].ToolName, items[3].Text));
        Assert.Equal(("call_b", "weather", "{\"temp\":21,\"sky\":\"sunny ☀\"}"), (items[4].ToolCallId, items[4].ToolName, items[4].Text));
        Assert.Empty(ContextValidation.FindProblems(items));
    }

    [Fact]
    public void ToContextItems_DeveloperRole_IsSystemKind()
    {
        ContextItem item = Assert.Single(ChatMessageAdapter.ToContextItems([new ChatMessage(new ChatRole("developer"), "rules")]));

        Assert.Equal((ContextItemKind.System, ContextRole.Developer, "rules"), (item.Kind, item.Role, item.Text));
        Assert.Equal("developer", Assert.Single(ChatMessageAdapter.ToChatMessages([ContextItem.Developer("x")])).Role.Value);
    }

    [Fact]
    public void ToContextItems_NullResultIsEmpty_AndUnknownRoleThrows()
    {
        IReadOnlyList<ContextItem> items = ChatMessageAdapter.ToContextItems(
        [
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c", "f")]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c", null)]),
        ]);

        Assert.Equal("{}", Assert.Single(items[0].ToolCalls).ArgumentsJson);
        Assert.Equal(string.Empty, items[1].Text);
        ArgumentException ex = Assert.Throws<ArgumentException>(
            () => ChatMessageAdapter.ToContextItems([new ChatMessage(ChatRole.User, "a"), new ChatMessage(new ChatRole("narrator"), "b")]));
        Assert.Contains("Message 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("narrator", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RoundTrip_Unchanged_GivesEquivalentClones()
    {
        List<ChatMessage> original = CreateConversation();

        IList<ChatMessage> rebuilt = ChatMessageAdapter.ToChatMessages(ChatMessageAdapter.ToContextItems(original));

        Assert.Equal(original.Count, rebuilt.Count);
        for (int i = 0; i < original.Count; i++)
        {
            Assert.NotSame(original[i], rebuilt[i]);
            Assert.NotSame(original[i].Contents, rebuilt[i].Contents);
            Assert.Equal(original[i].Role, rebuilt[i].Role);
            Assert.Equal(original[i].Text, rebuilt[i].Text);
            Assert.Equal(original[i].MessageId, rebuilt[i].MessageId);
            Assert.Equal(original[i].RawRepresentation, rebuilt[i].RawRepresentation);
            Assert.Equal(original[i].Contents, rebuilt[i].Contents); // same content instances, in order
        }

        Assert.Equal(
            ["call_a", "call_b"],
            rebuilt[2].Contents.OfType<FunctionCallContent>().Select(call => call.CallId));
        Assert.Equal(
            original[3].Contents.OfType<FunctionResultContent>().Select(result => (result.CallId, result.Result)),
            rebuilt[3].Contents.OfType<FunctionResultContent>().Select(result => (result.CallId, result.Result)));
    }

    [Fact]
    public void ChangingOneResult_ChangesOnlyThatResult()
    {
        List<ChatMessage> original = CreateConversation();
        List<ContextItem> items = [.. ChatMessageAdapter.ToContextItems(original)];
        items[4] = items[4].WithText("21C sunny");

        IList<ChatMessage> rebuilt = ChatMessageAdapter.ToChatMessages(items);

        Assert.Equal(original.Count, rebuilt.Count);
        FunctionResultContent[] results = [.. rebuilt[3].Contents.OfType<FunctionResultContent>()];
        Assert.Equal(2, results.Length);
        Assert.Same(original[3].Contents[0], results[0]);
        Assert.Equal(("call_b", "21C sunny"), (results[1].CallId, results[1].Result));
        Assert.Null(rebuilt[3].RawRepresentation);
        for (int i = 0; i < original.Count; i++)
        {
            if (i != 3)
            {
                Assert.Equal(original[i].Contents, rebuilt[i].Contents);
            }
        }
    }

    [Fact]
    public void RemovingACallAndItsResult_RemovesBothMessages()
    {
        List<ChatMessage> original =
        [
            new(ChatRole.User, "q"),
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "f")]),
            new(ChatRole.Tool, [new FunctionResultContent("c1", "r")]),
            new(ChatRole.Assistant, "answer"),
        ];
        IReadOnlyList<ContextItem> items = ChatMessageAdapter.ToContextItems(original);

        IList<ChatMessage> rebuilt = ChatMessageAdapter.ToChatMessages([items[0], items[3]]);

        Assert.Equal(["q", "answer"], rebuilt.Select(message => message.Text));
        Assert.Equal([ChatRole.User, ChatRole.Assistant], rebuilt.Select(message => message.Role));
    }

    [Fact]
    public void RemovingOneOfParallelCalls_KeepsTheOtherCallAndResult()
    {
        List<ChatMessage> original = CreateConversation();
        List<ContextItem> items = [.. ChatMessageAdapter.ToContextItems(original)];
        items[2] = items[2] with { ToolCalls = [items[2].ToolCalls[0]] };
        items.RemoveAt(4);

        IList<ChatMessage> rebuilt = ChatMessageAdapter.ToChatMessages(items);

        Assert.Equal(original.Count, rebuilt.Count);
        Assert.Equal(["call_a"], rebuilt[2].Contents.OfType<FunctionCallContent>().Select(call => call.CallId));
        Assert.Equal("Checking.", rebuilt[2].Text);
        Assert.Null(rebuilt[2].RawRepresentation);
        Assert.Equal("m3", rebuilt[2].MessageId);
        Assert.Same(original[3].Contents[0], Assert.Single(rebuilt[3].Contents));
        Assert.Empty(ContextValidation.FindProblems(ChatMessageAdapter.ToContextItems(rebuilt)));
    }

    [Fact]
    public void ResultsOfOneToolMessage_AreRegroupedWhereTheFirstOneIs()
    {
        List<ChatMessage> original = CreateConversation();
        List<ContextItem> items = [.. ChatMessageAdapter.ToContextItems(original)];
        items.Insert(4, ContextItem.PlanNote("remember the cat"));

        IList<ChatMessage> rebuilt = ChatMessageAdapter.ToChatMessages(items);

        Assert.Equal(original.Count + 1, rebuilt.Count);
        Assert.Equal(original[3].Contents, rebuilt[3].Contents);
        Assert.Equal((ChatRole.System, "remember the cat"), (rebuilt[4].Role, rebuilt[4].Text));
        Assert.Equal(original[4].Text, rebuilt[5].Text);
    }

    [Fact]
    public void ItemsFromChatMessages_CanBeWrittenAsOpenAIJson()
    {
        IReadOnlyList<ContextItem> items = ChatMessageAdapter.ToContextItems(CreateConversation());

        string json = OpenAIChatFormat.ToJson(items);

        Assert.Equal(items, OpenAIChatFormat.Parse(json));
    }

    [Fact]
    public void ChangingArguments_ReplacesOnlyThatCall()
    {
        List<ChatMessage> original = CreateConversation();
        List<ContextItem> items = [.. ChatMessageAdapter.ToContextItems(original)];
        items[2] = items[2] with { ToolCalls = [items[2].ToolCalls[0], items[2].ToolCalls[1] with { ArgumentsJson = "{\"city\":\"Lyon\"}" }] };

        IList<ChatMessage> rebuilt = ChatMessageAdapter.ToChatMessages(items);

        FunctionCallContent[] calls = [.. rebuilt[2].Contents.OfType<FunctionCallContent>()];
        Assert.Same(original[2].Contents[1], calls[0]);
        Assert.Equal(("call_b", "weather"), (calls[1].CallId, calls[1].Name));
        Assert.Equal("Lyon", Assert.IsType<JsonElement>(calls[1].Arguments!["city"]).GetString());
        Assert.Equal("Paris", ((FunctionCallContent)original[2].Contents[2]).Arguments!["city"]);
    }

    [Fact]
    public void ChangingText_KeepsNonTextContentsInPlace()
    {
        List<ChatMessage> original = CreateConversation();
        List<ContextItem> items = [.. ChatMessageAdapter.ToContextItems(original)];
        items[1] = items[1].WithText("What is shown? 🐱");

        IList<ChatMessage> rebuilt = ChatMessageAdapter.ToChatMessages(items);

        IList<AIContent> contents = rebuilt[1].Contents;
        Assert.Equal(3, contents.Count);
        Assert.Equal("What is shown? 🐱", Assert.IsType<TextContent>(contents[0]).Text);
        Assert.Same(original[1].Contents[1], Assert.IsType<DataContent>(contents[1]));
        Assert.Same(original[1].Contents[2], Assert.IsType<UriContent>(contents[2]));
    }

    [Fact]
    public void CallersMessages_AreNotMutated()
    {
        List<ChatMessage> original = CreateConversation();
        List<(ChatMessage Message, AIContent[] Contents, string Text, object? Raw)> before =
            [.. original.Select(message => (message, message.Contents.ToArray(), message.Text, message.RawRepresentation))];
        List<ContextItem> items = [.. ChatMessageAdapter.ToContextItems(original)];
        items[1] = items[1].WithText("changed");
        items[2] = items[2] with { ToolCalls = [items[2].ToolCalls[1] with { ArgumentsJson = "{}" }] };
        items[3] = items[3].WithText("changed");
        items.RemoveAt(4);

        IList<ChatMessage> rebuilt = ChatMessageAdapter.ToChatMessages(items);
        rebuilt[0].Contents.Add(new TextContent("appended by the caller"));

        foreach ((ChatMessage message, AIContent[] contents, string text, object? raw) in before)
        {
            Assert.Equal(contents, message.Contents);
            Assert.Equal(text, message.Text);
            Assert.Equal(raw, message.RawRepresentation);
        }

        Assert.Equal("A cat.", ((FunctionResultContent)original[3].Contents[0]).Result);
    }

    [Fact]
    public void ItemsWithoutSource_BecomeNewMessages()
    {
        ContextItem[] items =
        [
            ContextItem.User("hi") with { AuthorName = "bo" },
            ContextItem.ToolCallRequest([new ToolCall("c1", "f", "{\"n\":1}")], text: "calling"),
            ContextItem.ToolResult("c1", "f", "done"),
        ];

        IList<ChatMessage> messages = ChatMessageAdapter.ToChatMessages(items);

        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.Tool], messages.Select(message => message.Role));
        Assert.Equal("bo", messages[0].AuthorName);
        Assert.Equal("calling", messages[1].Text);
        FunctionCallContent call = Assert.Single(messages[1].Contents.OfType<FunctionCallContent>());
        Assert.Equal(("c1", "f", 1), (call.CallId, call.Name, ((JsonElement)call.Arguments!["n"]!).GetInt32()));
        FunctionResultContent result = Assert.IsType<FunctionResultContent>(Assert.Single(messages[2].Contents));
        Assert.Equal(("c1", "done"), (result.CallId, result.Result));
        Assert.Equal(items, ChatMessageAdapter.ToContextItems(messages));
    }

    [Fact]
    public void InvalidArgumentsJson_ThrowsFormatException()
    {
        ContextItem item = ContextItem.ToolCallRequest([new ToolCall("c1", "f", "not json")]);

        FormatException ex = Assert.Throws<FormatException>(() => ChatMessageAdapter.ToChatMessages([item]));

        Assert.Contains("'c1'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToolMessageWithUnknownCallId_IsFoundByValidation()
    {
        IReadOnlyList<ContextItem> items = ChatMessageAdapter.ToContextItems(
        [
            new ChatMessage(ChatRole.User, "q"),
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "f")]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", "ok"), new FunctionResultContent("c404", "stray")]),
        ]);

        Assert.Null(items[3].ToolName);
        Assert.Contains("'c404'", Assert.Single(ContextValidation.FindProblems(items)), StringComparison.Ordinal);
    }

    [Fact]
    public void UnicodeText_RoundTrips()
    {
        const string text = "你好 🌍 مرحبا";
        List<ChatMessage> original = [new(ChatRole.User, text), new(ChatRole.Assistant, "👍")];
        IReadOnlyList<ContextItem> items = ChatMessageAdapter.ToContextItems(original);

        IList<ChatMessage> rebuilt = ChatMessageAdapter.ToChatMessages([items[0].WithText(text + " ✓"), items[1]]);

        Assert.Equal(text, items[0].Text);
        Assert.Equal([text + " ✓", "👍"], rebuilt.Select(message => message.Text));
    }
}
