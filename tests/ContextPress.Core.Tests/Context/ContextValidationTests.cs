using ContextPress.Context;
using Xunit;

namespace ContextPress.Tests.Context;

public class ContextValidationTests
{
    [Fact]
    public void ValidConversation_WithPendingLastCall_HasNoProblems()
    {
        ContextItem[] items =
        [
            ContextItem.System("sys"),
            ContextItem.User("weather?"),
            ContextItem.ToolCallRequest([new ToolCall("a", "weather", "{}"), new ToolCall("b", "time", "{}")]),
            ContextItem.ToolResult("a", "weather", "sunny"),
            ContextItem.ToolResult("b", "time", "noon"),
            ContextItem.ToolCallRequest([new ToolCall("c", "weather", "{}")]),
        ];

        Assert.Empty(ContextValidation.FindProblems(items));
        ContextValidation.EnsureValid(items);
    }

    [Fact]
    public void ResultWithUnknownCallId_IsReported()
    {
        ContextItem[] items =
        [
            ContextItem.User("q"),
            ContextItem.ToolCallRequest([new ToolCall("a", "f", "{}")]),
            ContextItem.ToolResult("zzz", "f", "orphan"),
        ];

        string problem = Assert.Single(ContextValidation.FindProblems(items));
        Assert.Contains("Item 2", problem, StringComparison.Ordinal);
        Assert.Contains("'zzz'", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ResultBeforeItsCall_IsReported()
    {
        ContextItem[] items =
        [
            ContextItem.ToolResult("a", "f", "early"),
            ContextItem.ToolCallRequest([new ToolCall("a", "f", "{}")]),
        ];

        Assert.Contains("matches no earlier tool call", Assert.Single(ContextValidation.FindProblems(items)), StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateResult_IsReported()
    {
        ContextItem[] items =
        [
            ContextItem.ToolCallRequest([new ToolCall("a", "f", "{}")]),
            ContextItem.ToolResult("a", "f", "one"),
            ContextItem.ToolResult("a", "f", "two"),
        ];

        string problem = Assert.Single(ContextValidation.FindProblems(items));
        Assert.Contains("duplicate", problem, StringComparison.Ordinal);
        Assert.Contains("Item 2", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyCallId_AndCallItemWithoutCalls_AreReported()
    {
        ContextItem[] items =
        [
            ContextItem.ToolCallRequest([new ToolCall("", "f", "{}")]),
            ContextItem.ToolCallRequest([]),
            ContextItem.User("x") with { ToolCalls = [new ToolCall("q", "f", "{}")] },
        ];

        IReadOnlyList<string> problems = ContextValidation.FindProblems(items);

        Assert.Equal(3, problems.Count);
        Assert.Contains("empty call id", problems[0], StringComparison.Ordinal);
        Assert.Contains("without any tool calls", problems[1], StringComparison.Ordinal);
        Assert.Contains("only ToolCall items", problems[2], StringComparison.Ordinal);
    }

    [Fact]
    public void ReusedCallId_IsReported()
    {
        ContextItem[] items =
        [
            ContextItem.ToolCallRequest([new ToolCall("a", "f", "{}")]),
            ContextItem.ToolResult("a", "f", "one"),
            ContextItem.ToolCallRequest([new ToolCall("a", "f", "{}")]),
        ];

        Assert.Contains("already used by item 0", Assert.Single(ContextValidation.FindProblems(items)), StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureValid_ThrowsListingEveryProblem()
    {
        ContextItem[] items =
        [
            ContextItem.ToolResult("x", null, "orphan"),
            ContextItem.ToolResult("y", null, "orphan too"),
        ];

        InvalidOperationException ex = Assert.Throws<InvalidOperationException>(() => ContextValidation.EnsureValid(items));

        Assert.Contains("2 problem", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'x'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'y'", ex.Message, StringComparison.Ordinal);
    }
}
