using ContextPress.Context;
using ContextPress.Evals.Running;
using ContextPress.Evals.Tasks;

namespace ContextPress.Evals.Tests;

public sealed class OracleAgentTests
{
    private static readonly TaskStep Pay = new(
        "payments-send_payment",
        "Pay the sender.",
        [
            StepArgument.Fact("access_token", "pa_tok_0123456789abcdef0123"),
            StepArgument.Fact("amount", "61.37"),
            StepArgument.Literal("note", "thanks"),
        ]);

    [Fact]
    public void CopiesEveryFactFromTheContext()
    {
        OracleDecision decision = OracleAgent.Decide(Context("{\"access_token\": \"pa_tok_0123456789abcdef0123\"}", "your half is 61.37"), Pay);

        Assert.True(decision.Succeeded);
        Assert.Equal("61.37", decision.Arguments!["amount"]);
        Assert.Equal("thanks", decision.Arguments["note"]);
    }

    [Fact]
    public void FailsWhenAFactWasRemoved()
    {
        OracleDecision decision = OracleAgent.Decide(Context("{\"access_token\": \"pa_tok_0123456789abcdef0123\"}", "your half is 61.3"), Pay);

        Assert.False(decision.Succeeded);
        Assert.Equal(["61.37"], decision.MissingFacts);
    }

    [Fact]
    public void ReadsValuesFromEarlierToolCallArguments()
    {
        var items = new List<ContextItem>
        {
            ContextItem.User("pay"),
            ContextItem.ToolCallRequest([new ToolCall("c1", "payments-list_transactions", "{\"access_token\":\"pa_tok_0123456789abcdef0123\"}")]),
            ContextItem.ToolResult("c1", "payments-list_transactions", "amount 61.37"),
        };

        Assert.True(OracleAgent.Decide(items, Pay).Succeeded);
    }

    [Fact]
    public async Task OracleRunFailsWhenTheMethodRemovesAFact()
    {
        var counter = Tokens.TiktokenTokenCounter.O200k;
        var runner = new EpisodeRunner(counter, triggerTokens: 0);
        EpisodeRecord whole = await runner.RunAsync("pay-back-from-email", 0, 0, new Methods.NoCompression(), 0.5, TestContext.Current.CancellationToken);
        (_, EvalTask task) = TaskFamilies.Build("pay-back-from-email", 0);
        string amount = task.Steps[^1].ArgumentValues["amount"];
        var removeAmount = new ScrubMethod(amount);
        EpisodeRecord failed = await runner.RunAsync("pay-back-from-email", 0, 0, removeAmount, 0.5, TestContext.Current.CancellationToken);

        Assert.True(whole.OracleCompleted);
        Assert.False(failed.OracleCompleted);
        Assert.Equal(task.Steps.Count - 1, failed.OracleFailedStep);
        Assert.Contains(amount, failed.MissingFacts);
    }

    private static List<ContextItem> Context(string first, string second) =>
    [
        ContextItem.System("sys"),
        ContextItem.User("pay them back"),
        ContextItem.ToolCallRequest([new ToolCall("c1", "payments-login", "{}")]),
        ContextItem.ToolResult("c1", "payments-login", first),
        ContextItem.ToolCallRequest([new ToolCall("c2", "mail-read_email", "{}")]),
        ContextItem.ToolResult("c2", "mail-read_email", second),
    ];

    /// <summary>A method that deletes one value from every item's text (a compressor that lost exactly that fact).</summary>
    private sealed class ScrubMethod(string value) : Methods.IHistoryMethod
    {
        public string Name => "scrub";

        public ValueTask<IReadOnlyList<ContextItem>> CompressAsync(IReadOnlyList<ContextItem> history, Methods.TurnRequest request, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<ContextItem>>(history.Select(i => i.WithText(i.Text.Replace(value, "?", StringComparison.Ordinal))).ToList());
    }
}
