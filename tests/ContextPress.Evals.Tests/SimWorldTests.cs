using ContextPress.Evals.Tasks;
using ContextPress.Evals.World;
using Microsoft.SemanticKernel;

namespace ContextPress.Evals.Tests;

public sealed class SimWorldTests
{
    [Fact]
    public async Task SameSeedGivesByteIdenticalResponses()
    {
        string first = await TranscriptAsync(seed: 42);
        string second = await TranscriptAsync(seed: 42);
        string other = await TranscriptAsync(seed: 43);

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void TasksAreDeterministic()
    {
        foreach ((string name, _, _) in TaskFamilies.All)
        {
            (_, EvalTask a) = TaskFamilies.Build(name, 1);
            (_, EvalTask b) = TaskFamilies.Build(name, 1);
            Assert.Equal(a.Instruction, b.Instruction);
            Assert.Equal(a.Steps.SelectMany(s => s.Arguments.Select(x => x.Value)), b.Steps.SelectMany(s => s.Arguments.Select(x => x.Value)));
        }
    }

    [Fact]
    public async Task EveryGoldPlanRunsWithoutErrorsAndSucceeds()
    {
        foreach ((string name, _, _) in TaskFamilies.All)
        {
            (SimWorld world, EvalTask task) = TaskFamilies.Build(name, 0);
            Kernel kernel = WorldKernel.Create(world);
            Assert.True(task.Steps.Count >= 6, name);
            Assert.Contains(task.Steps, s => s.RequiredFacts.Count > 0);
            foreach (TaskStep step in task.Steps)
            {
                string result = await WorldKernel.InvokeAsync(kernel, step.Tool, step.ArgumentValues, TestContext.Current.CancellationToken);
                Assert.DoesNotContain("\"status\": \"error\"", result, StringComparison.Ordinal);
            }

            Assert.True(WorldTools.Succeeded(world, task), name);
        }
    }

    [Fact]
    public void PlanHintsNeverContainFactValues()
    {
        foreach ((string name, _, _) in TaskFamilies.All)
        {
            for (int index = 0; index < 3; index++)
            {
                (_, EvalTask task) = TaskFamilies.Build(name, index);
                var facts = task.Steps.SelectMany(s => s.RequiredFacts).Distinct().ToList();
                foreach (string hint in task.Hints)
                {
                    Assert.DoesNotContain(facts, f => hint.Contains(f, StringComparison.Ordinal));
                }
            }
        }
    }

    [Fact]
    public async Task AppsRequireTheirOwnLoginToken()
    {
        SimWorld world = SimWorld.Create(7);
        Kernel kernel = WorldKernel.Create(world);
        var withMailToken = new Dictionary<string, string> { ["access_token"] = world.TokenFor("mail"), ["query"] = "a" };

        string denied = await WorldKernel.InvokeAsync(kernel, "contacts-search_contacts", withMailToken, TestContext.Current.CancellationToken);
        string allowed = await WorldKernel.InvokeAsync(kernel, "mail-search_inbox", withMailToken, TestContext.Current.CancellationToken);

        Assert.Contains("401", denied, StringComparison.Ordinal);
        Assert.Contains("\"pagination\"", allowed, StringComparison.Ordinal);
    }

    private static async Task<string> TranscriptAsync(int seed)
    {
        SimWorld world = SimWorld.Create(seed);
        Kernel kernel = WorldKernel.Create(world);
        var calls = new List<(string Tool, Dictionary<string, string> Args)>
        {
            ("supervisor-show_profile", []),
            ("supervisor-show_account_passwords", []),
            ("mail-login", new() { ["username"] = world.Supervisor.Email, ["password"] = world.Passwords["mail"] }),
            ("mail-search_inbox", new() { ["access_token"] = world.TokenFor("mail"), ["query"] = "e", ["page"] = "2" }),
            ("payments-list_transactions", new() { ["access_token"] = world.TokenFor("payments"), ["query"] = "" }),
        };
        var transcript = new System.Text.StringBuilder();
        foreach ((string tool, Dictionary<string, string> args) in calls)
        {
            transcript.AppendLine(await WorldKernel.InvokeAsync(kernel, tool, args, TestContext.Current.CancellationToken));
        }

        return transcript.ToString();
    }
}
