using ContextPress.Context;
using Xunit;

namespace ContextPress.Tests.Context;

public class ContextItemTests
{
    [Fact]
    public void Factories_SetKindRoleAndFields()
    {
        ContextItem system = ContextItem.System("be brief");
        ContextItem developer = ContextItem.Developer("use tools");
        ContextItem user = ContextItem.User("hi", turn: 2);
        ContextItem assistant = ContextItem.Assistant("hello", turn: 2);
        ContextItem calls = ContextItem.ToolCallRequest([new ToolCall("c1", "search", "{}")], turn: 3, text: "let me look");
        ContextItem result = ContextItem.ToolResult("c1", "search", "found", turn: 3);
        ContextItem document = ContextItem.Document("doc");
        ContextItem note = ContextItem.PlanNote("step 1");

        Assert.Equal((ContextItemKind.System, ContextRole.System), (system.Kind, system.Role));
        Assert.Equal((ContextItemKind.System, ContextRole.Developer), (developer.Kind, developer.Role));
        Assert.Equal((ContextItemKind.User, ContextRole.User, 2), (user.Kind, user.Role, user.Turn));
        Assert.Equal((ContextItemKind.Assistant, ContextRole.Assistant), (assistant.Kind, assistant.Role));
        Assert.Equal((ContextItemKind.ToolCall, ContextRole.Assistant, "let me look"), (calls.Kind, calls.Role, calls.Text));
        Assert.Equal("c1", Assert.Single(calls.ToolCalls).CallId);
        Assert.Equal((ContextItemKind.ToolResult, ContextRole.Tool, "c1", "search"), (result.Kind, result.Role, result.ToolCallId, result.ToolName));
        Assert.Equal((ContextItemKind.Document, ContextRole.User), (document.Kind, document.Role));
        Assert.Equal((ContextItemKind.PlanNote, ContextRole.System), (note.Kind, note.Role));
    }

    [Fact]
    public void Defaults_AreEmptyNotNull()
    {
        ContextItem item = new();

        Assert.Equal(string.Empty, item.Text);
        Assert.Empty(item.ToolCalls);
        Assert.Empty(item.Metadata);
        Assert.Null(item.Source);
        Assert.False(item.Pinned);
    }

    [Fact]
    public void NullText_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new ContextItem { Text = null! });
        Assert.Throws<ArgumentNullException>(() => ContextItem.User(null!));
        Assert.Throws<ArgumentNullException>(() => ContextItem.User("x").WithText(null!));
    }

    [Fact]
    public void NegativeTurn_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ContextItem.User("x", turn: -1));

    [Fact]
    public void WithText_ChangesOnlyTheTextAndKeepsSource()
    {
        object source = new();
        ContextItem item = ContextItem.ToolResult("c1", "search", "long output", turn: 1) with { Source = source, Pinned = true };

        ContextItem changed = item.WithText("short");

        Assert.Equal("short", changed.Text);
        Assert.Same(source, changed.Source);
        Assert.Equal(item with { Text = "short" }, changed);
        Assert.Equal("long output", item.Text);
    }

    [Fact]
    public void Equality_ComparesCallsAndMetadataByValue_AndIgnoresSource()
    {
        ContextItem a = ContextItem.ToolCallRequest([new ToolCall("c1", "f", "{\"x\":1}")]) with
        {
            Metadata = new Dictionary<string, string> { ["k"] = "v" },
            Source = new object(),
        };
        ContextItem b = ContextItem.ToolCallRequest([new ToolCall("c1", "f", "{\"x\":1}")]) with
        {
            Metadata = new Dictionary<string, string> { ["k"] = "v" },
            Source = new object(),
        };

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, b with { ToolCalls = [new ToolCall("c1", "f", "{\"x\":2}")] });
        Assert.NotEqual(a, b with { Metadata = new Dictionary<string, string> { ["k"] = "w" } });
        Assert.NotEqual(a, b with { Turn = 1 });
    }
}
