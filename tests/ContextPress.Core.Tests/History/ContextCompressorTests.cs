using System.Globalization;
using System.Text;
using System.Text.Json;
using ContextPress.Context;
using ContextPress.History;
using ContextPress.Tokens;

namespace ContextPress.Tests.History;

public class ContextCompressorTests
{
    private static readonly ContextCompressor s_compressor = ContextCompressor.CreateDefault();

    /// <summary>A seeded agent history: system, user request, tool steps with large JSON results, an assistant note, a follow-up.</summary>
    internal static List<ContextItem> AgentHistory(int seed, int steps = 8, string? request = null)
    {
        var random = new Random(seed);
        var items = new List<ContextItem>
        {
            ContextItem.System("You are a support agent. Use the tools to look up orders and issue refunds. Never invent ids."),
            ContextItem.User(request ?? "Refund the damaged hat from my last order and e-mail me the confirmation."),
        };
        string[] tools = ["search_orders", "get_customer", "list_payments", "get_shipping", "list_tickets", "get_catalog"];
        for (int s = 0; s < steps; s++)
        {
            string tool = tools[s % tools.Length];
            string callId = $"call_{seed}_{s}";
            items.Add(ContextItem.ToolCallRequest([new ToolCall(callId, tool, $"{{\"query\":\"page {s}\",\"page_size\":40}}")]));
            items.Add(ContextItem.ToolResult(callId, tool, ToolResultJson(random, s)));
            if (s % 3 == 2)
            {
                items.Add(ContextItem.Assistant($"Step {s} done: I looked at the {tool} output and will continue with the next lookup as planned."));
            }
        }

        items.Add(ContextItem.User("Also, which card will the refund go to?", turn: 1));
        return items;
    }

    private static string ToolResultJson(Random random, int step)
    {
        var records = new StringBuilder();
        int count = 20 + random.Next(20);
        for (int r = 0; r < count; r++)
        {
            if (r > 0)
            {
                records.Append(',');
            }

            records.Append(CultureInfo.InvariantCulture, $"{{\"id\":\"ORD-{step}{r:D3}{random.Next(10, 99)}\",\"sku\":\"HAT{random.Next(100, 999)}\",\"amount\":{random.Next(100, 99999) / 100.0},\"date\":\"2024-0{1 + (r % 9)}-1{r % 10}\",\"customer\":{{\"name\":\"Ann Lee\",\"email\":\"ann{r}@example.com\"}},\"note\":null,\"description\":\"This item was shipped in a standard box with a printed receipt and a short thank-you note from the store, and it arrived within the promised delivery window without any reported issue.\"}}");
        }

        return $"{{\"request_id\":\"req-{random.Next(100000)}\",\"page\":1,\"total\":{count},\"items\":[{records}]}}";
    }

    [Theory]
    [InlineData(1, 0.5)]
    [InlineData(2, 0.33)]
    [InlineData(3, 0.2)]
    [InlineData(4, 0.7)]
    public async Task Invariants_HoldForEveryRatio(int seed, double ratio)
    {
        List<ContextItem> items = AgentHistory(seed);
        ContextCompressionResult result = await s_compressor.CompressAsync(items, new ContextCompressionOptions { TargetRatio = ratio }, TestContext.Current.CancellationToken);

        // System first and unchanged; last user message unchanged; results after their calls with unchanged ids.
        Assert.Equal(items[0], result.Items[0]);
        Assert.Equal(items[^1], result.Items[^1]);
        Assert.Empty(ContextValidation.FindProblems(result.Items));
        var callIds = items.SelectMany(i => i.ToolCalls).Select(c => c.CallId).ToHashSet();
        Assert.All(result.Items.Where(i => i.Kind == ContextItemKind.ToolResult), r => Assert.Contains(r.ToolCallId!, callIds));

        // Output never larger; budget met when feasible; the report covers every input item.
        Assert.True(result.TokensAfter <= result.TokensBefore);
        Assert.True(result.BudgetFeasible);
        Assert.True(result.TokensAfter <= result.BudgetTokens);
        Assert.Equal(items.Count, result.ItemReports.Count);
        Assert.Equal(result.TokensAfter, result.ItemReports.Sum(r => r.TokensAfter));
        Assert.Equal(result.TokensAfter, result.Items.Sum(i => ContextCompressor.CountItemTokens(s_compressor.TokenCounter, i)));

        // Compressed JSON results are still JSON.
        foreach (ContextItem item in result.Items.Where(i => i.Kind == ContextItemKind.ToolResult && i.Text.StartsWith('{')))
        {
            using JsonDocument _ = JsonDocument.Parse(item.Text);
        }
    }

    // Property check over many shapes: history length, ratio and whether the last user turn is a follow-up vary by seed.
    [Fact]
    public async Task Invariants_HoldOnManySeededHistories()
    {
        for (int seed = 100; seed < 160; seed++)
        {
            var random = new Random(seed);
            List<ContextItem> items = AgentHistory(seed, steps: 2 + random.Next(11));
            if (random.Next(3) == 0)
            {
                items.RemoveAt(items.Count - 1); // the request itself is the last user turn
            }

            var options = new ContextCompressionOptions { TargetRatio = 0.1 + (0.85 * random.NextDouble()) };
            ContextCompressionResult result = await s_compressor.CompressAsync(items, options, TestContext.Current.CancellationToken);
            string where = $"seed {seed}, ratio {options.TargetRatio:0.000}";

            Assert.True(items[0].Equals(result.Items[0]), $"{where}: system message changed");
            ContextItem lastUser = items.Last(i => i.Kind == ContextItemKind.User);
            Assert.True(result.Items.Contains(lastUser), $"{where}: last user turn changed");
            Assert.True(ContextValidation.FindProblems(result.Items).Count == 0, $"{where}: {string.Join("; ", ContextValidation.FindProblems(result.Items))}");
            Assert.True(result.TokensAfter <= result.TokensBefore, where);
            Assert.True(!result.BudgetFeasible || result.TokensAfter <= result.BudgetTokens, $"{where}: feasible but {result.TokensAfter} > {result.BudgetTokens}");
            Assert.Equal(result.TokensAfter, result.Items.Sum(i => ContextCompressor.CountItemTokens(s_compressor.TokenCounter, i)));

            ContextCompressionResult again = await ContextCompressor.CreateDefault().CompressAsync(items, options, TestContext.Current.CancellationToken);
            Assert.True(result.Items.SequenceEqual(again.Items), $"{where}: not deterministic");
        }
    }

    [Fact]
    public async Task UnderBudget_KeepsEverything()
    {
        List<ContextItem> items = AgentHistory(5, steps: 2);
        ContextCompressionResult result = await s_compressor.CompressAsync(items, new ContextCompressionOptions { BudgetTokens = 1_000_000 }, TestContext.Current.CancellationToken);
        Assert.Equal(items, result.Items);
        Assert.All(result.ItemReports, r => Assert.Equal(ContextAction.Keep, r.Action));
    }

    [Fact]
    public async Task ProtectedItemsAloneOverBudget_IsFlaggedInfeasible_AndLosesNothingProtected()
    {
        List<ContextItem> items = AgentHistory(6);
        ContextCompressionResult result = await s_compressor.CompressAsync(items, new ContextCompressionOptions { BudgetTokens = 20 }, TestContext.Current.CancellationToken);
        Assert.False(result.BudgetFeasible);
        Assert.Contains(items[0], result.Items);
        Assert.Contains(items[^1], result.Items);
        Assert.All(result.ItemReports.Where(r => r.Protected), r => Assert.Equal(ContextAction.Keep, r.Action));
        Assert.True(result.TokensAfter < result.TokensBefore);
    }

    [Fact]
    public async Task ValuesNamedByTheRequest_SurviveCompressionAndStubs()
    {
        List<ContextItem> items = AgentHistory(7);
        string needle = items.Where(i => i.Kind == ContextItemKind.ToolResult).Skip(1).First().Text.Split('"')[13]; // an order id of the 2nd result
        Assert.StartsWith("ORD-", needle, StringComparison.Ordinal);
        items[^1] = ContextItem.User($"Refund order {needle} to the card on file.", turn: 1);

        foreach (double ratio in new[] { 0.5, 0.2, 0.1 })
        {
            ContextCompressionResult result = await s_compressor.CompressAsync(items, new ContextCompressionOptions { TargetRatio = ratio }, TestContext.Current.CancellationToken);
            int holders = result.Items.Take(result.Items.Count - 1).Count(i => i.Text.Contains(needle, StringComparison.Ordinal));
            Assert.True(holders > 0, $"{needle} lost at ratio {ratio}");
        }
    }

    [Fact]
    public async Task Plan_KeepsTheRelevantResultFullerThanIrrelevantOnes()
    {
        List<ContextItem> items = AgentHistory(8, steps: 6);
        var plan = new ContextPlan { Steps = ["check shipping status of the order", "open a ticket for the damaged item"], CurrentStep = 0 };
        ContextCompressionResult result = await s_compressor.CompressAsync(items, new ContextCompressionOptions { TargetRatio = 0.4, Plan = plan }, TestContext.Current.CancellationToken);

        ContextItemReport shipping = result.ItemReports.Single(r => r.Kind == ContextItemKind.ToolResult && items[r.Index].ToolName == "get_shipping");
        ContextItemReport catalog = result.ItemReports.Single(r => r.Kind == ContextItemKind.ToolResult && items[r.Index].ToolName == "get_catalog");
        Assert.True(shipping.Relevance > catalog.Relevance, $"shipping {shipping} catalog {catalog}");
        Assert.True((double)shipping.TokensAfter / shipping.TokensBefore >= (double)catalog.TokensAfter / catalog.TokensBefore, $"shipping {shipping} catalog {catalog}");
    }

    [Fact]
    public async Task Drops_RemoveWholeCallResultGroups()
    {
        List<ContextItem> items = AgentHistory(9, steps: 10);
        ContextCompressionResult result = await s_compressor.CompressAsync(items, new ContextCompressionOptions { TargetRatio = 0.05 }, TestContext.Current.CancellationToken);
        Assert.Contains(result.ItemReports, r => r.Action == ContextAction.Drop);
        foreach (ContextItemReport dropped in result.ItemReports.Where(r => r.Action == ContextAction.Drop && r.Kind == ContextItemKind.ToolResult))
        {
            string callId = items[dropped.Index].ToolCallId!;
            int callIndex = items.FindIndex(i => i.ToolCalls.Any(c => c.CallId == callId));
            Assert.Equal(ContextAction.Drop, result.ItemReports[callIndex].Action);
        }

        Assert.Empty(ContextValidation.FindProblems(result.Items));
    }

    [Fact]
    public async Task Compression_IsDeterministic()
    {
        List<ContextItem> items = AgentHistory(10);
        var options = new ContextCompressionOptions { TargetRatio = 0.33 };
        ContextCompressionResult first = await s_compressor.CompressAsync(items, options, TestContext.Current.CancellationToken);
        ContextCompressionResult second = await ContextCompressor.CreateDefault().CompressAsync(items, options, TestContext.Current.CancellationToken);
        Assert.Equal(first.Items, second.Items);
        Assert.Equal(first.ItemReports, second.ItemReports);
    }

    [Fact]
    public async Task PendingCallsAndTheLatestStep_AreProtected()
    {
        List<ContextItem> items = AgentHistory(11, steps: 5);
        items.RemoveAt(items.Count - 1);
        items.Add(ContextItem.ToolCallRequest([new ToolCall("pending_1", "issue_refund", "{\"order\":\"ORD-1\"}")]));
        ContextCompressionResult result = await s_compressor.CompressAsync(items, new ContextCompressionOptions { TargetRatio = 0.3 }, TestContext.Current.CancellationToken);
        Assert.Equal(items[^1], result.Items[^1]);
        Assert.True(result.ItemReports[^1].Protected);
    }

    /// <summary>System, request, an expense list (40 look-alike records with member shares), then unrelated large results.</summary>
    private static List<ContextItem> ExpenseHistory(string request)
    {
        var random = new Random(12);
        var records = new List<object>();
        for (int r = 0; r < 40; r++)
        {
            records.Add(new
            {
                expense_id = $"EXP-{r:D3}",
                title = "Cabin rental",
                date = r == 23 ? "2024-02-01" : $"2024-0{3 + (r % 6)}-{10 + (r % 18)}",
                note = r % 4 == 0 ? "Split between everyone who stayed at the cabin, as agreed in the group chat before the trip." : null,
                shares = new object[]
                {
                    new { email = $"ann.{r}@example.com", owed_share = Math.Round(10 + (random.NextDouble() * 500), 2), paid_share = 0 },
                    new { email = $"bob.{r}@example.com", owed_share = Math.Round(10 + (random.NextDouble() * 500), 2), paid_share = 0 },
                    new { email = $"cy.{r}@example.com", owed_share = Math.Round(10 + (random.NextDouble() * 500), 2), paid_share = 0 },
                },
            });
        }

        List<ContextItem> items =
        [
            ContextItem.System("You are an assistant that manages shared expenses with the Splitwise and Venmo tools."),
            ContextItem.User(request),
            ContextItem.ToolCallRequest([new ToolCall("call_expenses", "list_expenses", "{\"group\":\"trip\"}")]),
            ContextItem.ToolResult("call_expenses", "list_expenses", JsonSerializer.Serialize(new { data = records })),
        ];
        List<ContextItem> filler = AgentHistory(13, steps: 4);
        items.AddRange(filler.Skip(2).Take(filler.Count - 3));
        return items;
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(0.2)]
    public async Task TheRecordTheRequestNames_KeepsEveryMembersShare_EvenAsAStub(double ratio)
    {
        List<ContextItem> items = ExpenseHistory("For the 'Cabin rental' expense of 2024-02-01, request each member's share on Venmo.");
        using JsonDocument source = JsonDocument.Parse(items[3].Text);
        JsonElement target = source.RootElement.GetProperty("data")[23];

        ContextCompressionResult result = await s_compressor.CompressAsync(items, new ContextCompressionOptions { TargetRatio = ratio }, TestContext.Current.CancellationToken);

        Assert.True(result.BudgetFeasible);
        Assert.NotEqual(ContextAction.Keep, result.ItemReports[3].Action);
        string kept = result.Items.Single(i => i.ToolCallId == "call_expenses").Text;
        foreach (JsonElement share in target.GetProperty("shares").EnumerateArray())
        {
            Assert.Contains(share.GetProperty("email").GetString()!, kept, StringComparison.Ordinal);
            Assert.Contains(share.GetProperty("owed_share").GetRawText(), kept, StringComparison.Ordinal);
        }

        // Its look-alikes' shares are not all kept: the item did shrink to the budget.
        Assert.DoesNotContain("cy.7@example.com", kept, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStubbedStatement_ListsTheValuesOfItsMostRelevantLineFirst()
    {
        var random = new Random(14);
        var statement = new StringBuilder("CITY POWER - STATEMENT FOR MARCH 2024\nAccount number: 5274374006\n");
        for (int i = 0; i < 300; i++)
        {
            if (i == 150)
            {
                statement.Append("TOTAL AMOUNT DUE: 293.63 (pay by 2024-04-15 via Venmo to payments.city-power@billing-57.com)\n");
            }

            statement.Append(CultureInfo.InvariantCulture, $"2024-03-{1 + (i % 28):D2}  Usage charge  ref {random.Next(0x10000000, int.MaxValue):X8}  {random.Next(100, 9000) / 100.0:0.00}\n");
        }

        List<ContextItem> items =
        [
            ContextItem.System("You pay the user's bills with the Venmo tools."),
            ContextItem.User("Pay my electricity bill from my Venmo balance to the biller's Venmo account."),
            ContextItem.ToolCallRequest([new ToolCall("call_file", "show_file", "{\"path\":\"~/bills/city-power-2024-03.txt\"}")]),
            ContextItem.ToolResult("call_file", "show_file", statement.ToString()),
            ContextItem.ToolCallRequest([new ToolCall("call_balance", "show_balance", "{}")]),
            ContextItem.ToolResult("call_balance", "show_balance", "{\"balance\":1200.5,\"currency\":\"USD\"}"),
        ];

        ContextCompressionResult result = await s_compressor.CompressAsync(items, new ContextCompressionOptions { TargetRatio = 0.1 }, TestContext.Current.CancellationToken);

        Assert.True(result.BudgetFeasible);
        Assert.Equal(ContextAction.Stub, result.ItemReports[3].Action);
        string stub = result.Items.Single(i => i.ToolCallId == "call_file").Text;
        Assert.Contains("293.63", stub, StringComparison.Ordinal);
        Assert.Contains("payments.city-power@billing-57.com", stub, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOversizedNewestObservation_IsCompressedKeepingEveryValue_SoOlderValuesFit()
    {
        // The newest result is an activity log whose prose details make it larger than the whole budget.
        var random = new Random(15);
        var events = Enumerable.Range(0, 120).Select(i => new
        {
            event_id = $"EVT-{random.Next(100000, 999999)}",
            at = $"2024-05-{1 + (i % 28):D2}T10:{i % 60:D2}:00",
            amount = Math.Round(random.NextDouble() * 300, 2),
            details = "The account summary was reviewed against the latest firmware notes and the regional shipping guidelines during the holiday season without additional charges.",
        }).ToArray();
        string log = JsonSerializer.Serialize(new { events });
        List<ContextItem> items =
        [
            ContextItem.System("You are an assistant with account tools."),
            ContextItem.User("Log in to Venmo and check the recent activity."),
            ContextItem.ToolCallRequest([new ToolCall("call_pw", "show_passwords", "{}")]),
            ContextItem.ToolResult("call_pw", "show_passwords", """{"accounts":[{"account_name":"venmo","password":"Xq9-secret-77"},{"account_name":"gmail","password":"Zr4-other-12"}]}"""),
            ContextItem.ToolCallRequest([new ToolCall("call_log", "show_activity_log", "{\"days\":30}")]),
            ContextItem.ToolResult("call_log", "show_activity_log", log),
        ];
        int total = items.Sum(i => ContextCompressor.CountItemTokens(s_compressor.TokenCounter, i));
        int logTokens = ContextCompressor.CountItemTokens(s_compressor.TokenCounter, items[^1]);
        int budget = total - logTokens + (logTokens * 3 / 4);

        ContextCompressionResult result = await s_compressor.CompressAsync(items, new ContextCompressionOptions { BudgetTokens = budget }, TestContext.Current.CancellationToken);

        Assert.True(result.BudgetFeasible, $"{result.TokensAfter} > {result.BudgetTokens}");
        Assert.True(result.ItemReports[^1].Protected);
        Assert.Equal(ContextAction.Compress, result.ItemReports[^1].Action);
        Assert.Contains("Xq9-secret-77", result.Items[3].Text, StringComparison.Ordinal);

        // Every event keeps its id, time and amount: nothing but prose was shortened.
        using JsonDocument kept = JsonDocument.Parse(result.Items[^1].Text);
        JsonElement keptEvents = kept.RootElement.GetProperty("events");
        Assert.Equal(events.Length, keptEvents.GetArrayLength());
        for (int i = 0; i < events.Length; i++)
        {
            Assert.Equal(events[i].event_id, keptEvents[i].GetProperty("event_id").GetString());
            Assert.Equal(events[i].at, keptEvents[i].GetProperty("at").GetString());
            Assert.Equal(events[i].amount, keptEvents[i].GetProperty("amount").GetDouble());
        }
    }

    [Fact]
    public async Task TheNewestObservationsProse_GivesWayBeforeAnOlderResultBecomesAStub()
    {
        // The protected items fit the budget; the older e-mail fits only if the newest result's prose shrinks first.
        var random = new Random(21);
        var projects = Enumerable.Range(0, 30).Select(i => new
        {
            project_id = random.Next(100000, 999999),
            name = i == 7 ? "Family" : $"Project {i}",
            description = "The sender requires the previous billing cycle before the scheduled delivery while the manufacturer keeps the standard warranty terms for everyday use.",
        }).ToArray();
        List<ContextItem> items =
        [
            ContextItem.System("You are an assistant with e-mail and task tools."),
            ContextItem.User("Add the eye exam from Emma's e-mail to my Family project with its date, time and confirmation code."),
            ContextItem.ToolCallRequest([new ToolCall("call_thread", "show_thread", "{\"thread_id\":\"THR-1\"}")]),
            ContextItem.ToolResult("call_thread", "show_thread", """{"thread_id":"THR-1","from":"emma@oakeye.example","body":"Hi! Your eye exam is confirmed for 2024-08-19 at 14:15. Your confirmation code is CNF-AUBMDN. See you then."}"""),
            ContextItem.ToolCallRequest([new ToolCall("call_projects", "show_projects", "{}")]),
            ContextItem.ToolResult("call_projects", "show_projects", JsonSerializer.Serialize(new { projects })),
        ];
        ITokenCounter counter = s_compressor.TokenCounter;
        int total = items.Sum(i => ContextCompressor.CountItemTokens(counter, i));
        int email = ContextCompressor.CountItemTokens(counter, items[3]);
        int budget = total - (email / 2);
        Assert.True(total - email - ContextCompressor.CountItemTokens(counter, items[2]) < budget);

        ContextCompressionResult result = await s_compressor.CompressAsync(items, new ContextCompressionOptions { BudgetTokens = budget }, TestContext.Current.CancellationToken);

        Assert.True(result.BudgetFeasible, $"{result.TokensAfter} > {result.BudgetTokens}");
        Assert.Equal(ContextAction.Compress, result.ItemReports[^1].Action);
        Assert.Equal(ContextAction.Keep, result.ItemReports[3].Action);
        foreach (string value in new[] { "2024-08-19", "14:15", "CNF-AUBMDN" })
        {
            Assert.Contains(value, result.Items[3].Text, StringComparison.Ordinal);
        }

        // The newest result lost prose only: every project keeps its id and name.
        using JsonDocument kept = JsonDocument.Parse(result.Items[^1].Text);
        JsonElement keptProjects = kept.RootElement.GetProperty("projects");
        Assert.Equal(projects.Length, keptProjects.GetArrayLength());
        for (int i = 0; i < projects.Length; i++)
        {
            Assert.Equal(projects[i].project_id, keptProjects[i].GetProperty("project_id").GetInt32());
            Assert.Equal(projects[i].name, keptProjects[i].GetProperty("name").GetString());
        }
    }

    [Fact]
    public async Task AStub_KeepsTheNamedRecordWhole_AndOtherMatchingRecordsCompact()
    {
        // Songs by the requested artist among others; the stub must keep ids and play counts of the artist's songs.
        var random = new Random(16);
        var songs = Enumerable.Range(0, 45).Select(i => new
        {
            song_id = 10000 + (i * 37),
            title = $"Song number {i}",
            artist = i % 3 == 0 ? "Phoebe Hart" : $"Other Artist {i}",
            play_count = random.Next(1000, 5_000_000),
            about = "This track was recorded during the summer sessions and mixed in the studio over several weeks with the band.",
        }).ToArray();
        List<ContextItem> items =
        [
            ContextItem.System("You manage the user's Spotify playlists."),
            ContextItem.User("Add the two most played songs by Phoebe Hart to my new playlist."),
            ContextItem.ToolCallRequest([new ToolCall("call_songs", "search_songs", "{\"query\":\"Phoebe Hart\"}")]),
            ContextItem.ToolResult("call_songs", "search_songs", JsonSerializer.Serialize(new { data = songs })),
            ContextItem.ToolCallRequest([new ToolCall("call_create", "create_playlist", "{\"title\":\"Mix\"}")]),
            ContextItem.ToolResult("call_create", "create_playlist", "{\"playlist_id\":4321}"),
        ];

        ContextCompressionResult result = await s_compressor.CompressAsync(items, new ContextCompressionOptions { TargetRatio = 0.15 }, TestContext.Current.CancellationToken);

        Assert.True(result.BudgetFeasible);
        Assert.Equal(ContextAction.Stub, result.ItemReports[3].Action);
        string stub = result.Items.Single(i => i.ToolCallId == "call_songs").Text;
        Assert.Contains("best match", stub, StringComparison.Ordinal);
        int keptArtistSongs = songs.Count(s => s.artist == "Phoebe Hart" && stub.Contains($"\"song_id\":{s.song_id}", StringComparison.Ordinal)
            && stub.Contains(s.play_count.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        Assert.True(keptArtistSongs >= 3, stub);
        Assert.DoesNotContain("Other Artist", stub, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidHistory_IsRejected()
    {
        List<ContextItem> items = [ContextItem.System("s"), ContextItem.ToolResult("nope", "tool", "{}")];
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await s_compressor.CompressAsync(items, cancellationToken: TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await s_compressor.CompressAsync(AgentHistory(1), new ContextCompressionOptions { TargetRatio = 0 }, TestContext.Current.CancellationToken));
    }
}
