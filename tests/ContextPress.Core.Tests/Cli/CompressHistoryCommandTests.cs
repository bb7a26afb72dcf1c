using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContextPress.Cli;

namespace ContextPress.Tests.Cli;

public class CompressHistoryCommandTests
{
    private static readonly UTF8Encoding s_utf8 = new(false);

    [Fact]
    public async Task ArrayInput_KeepsSystemLastUserAndToolPairs_AndWritesConsistentReport()
    {
        using var temp = new TempDirectory();
        string report = temp.File("report.json");
        JsonArray conversation = HistoryFixtures.Conversation();
        string inputJson = conversation.ToJsonString();

        CliRun run = await CliRunner.RunAsync(CliRunner.Utf8(inputJson), "compress-history", "--target-ratio", "0.4", "--report", report);

        Assert.Equal(ContextPressCli.ExitOk, run.ExitCode);
        string summary = Assert.Single(run.StderrLines);
        Assert.Matches(@"^compressed \d+ -> \d+ tokens \(budget \d+\) in \d+\.\d ms(; budget not met: .+)?$", summary);

        JsonElement input = HistoryFixtures.Parse(inputJson);
        JsonElement output = HistoryFixtures.Parse(run.Stdout);
        HistoryFixtures.AssertValidCompression(input, output);

        JsonElement root = HistoryFixtures.Parse(File.ReadAllText(report));
        Assert.Equal("-", root.GetProperty("source").GetString());
        Assert.Equal(0.4, root.GetProperty("requestedTargetRatio").GetDouble());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("requestedBudgetTokens").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("plan").ValueKind);
        Assert.Equal(3, root.GetProperty("lookaheadSteps").GetInt32());
        HistoryFixtures.AssertConsistentReport(root, input, output);
        Assert.True(root.GetProperty("tokensAfter").GetInt32() < root.GetProperty("tokensBefore").GetInt32());
        Assert.Contains(root.GetProperty("tokensBefore").GetInt32().ToString(CultureInfo.InvariantCulture), summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObjectInput_AppliesItsOwnBudgetAndPlan_AndKeepsOtherProperties()
    {
        using var temp = new TempDirectory();
        string input = temp.File("request.json");
        string output = temp.File("out.json");
        string report = temp.File("report.json");
        JsonArray messages = HistoryFixtures.Conversation(tag: "B");
        var request = new JsonObject
        {
            ["model"] = "gpt-4o-mini",
            ["messages"] = messages.DeepClone(),
            ["plan"] = new JsonObject { ["steps"] = new JsonArray("Verify the customer", "Check QKB7720 payments", "Reply with the result"), ["current_step"] = 1 },
            ["budget_tokens"] = 700,
            ["temperature"] = 0.2,
            ["metadata"] = new JsonObject { ["tenant"] = "larkspur", ["trace"] = "订单 🚚" },
        };
        File.WriteAllText(input, request.ToJsonString(), s_utf8);

        CliRun run = await CliRunner.RunAsync("compress-history", "--input", input, "--output", output, "--target-ratio", "0.9", "--report", report, "--quiet");

        Assert.Equal(ContextPressCli.ExitOk, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.Equal(string.Empty, run.Stderr);
        JsonElement result = HistoryFixtures.Parse(File.ReadAllText(output));
        Assert.Equal(JsonValueKind.Object, result.ValueKind);
        string[] names = [.. result.EnumerateObject().Select(p => p.Name)];
        Assert.Equal(new[] { "model", "messages", "temperature", "metadata" }, names);
        Assert.Equal("gpt-4o-mini", result.GetProperty("model").GetString());
        Assert.Equal(0.2, result.GetProperty("temperature").GetDouble());
        Assert.Equal("订单 🚚", result.GetProperty("metadata").GetProperty("trace").GetString());

        JsonElement inputMessages = HistoryFixtures.Parse(messages.ToJsonString());
        HistoryFixtures.AssertValidCompression(inputMessages, result.GetProperty("messages"));

        JsonElement root = HistoryFixtures.Parse(File.ReadAllText(report));
        Assert.Equal(700, root.GetProperty("requestedBudgetTokens").GetInt32());
        Assert.Equal(700, root.GetProperty("budgetTokens").GetInt32());
        Assert.Equal(3, root.GetProperty("plan").GetProperty("steps").GetInt32());
        Assert.Equal(1, root.GetProperty("plan").GetProperty("currentStep").GetInt32());
        HistoryFixtures.AssertConsistentReport(root, inputMessages, result.GetProperty("messages"));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(900)]
    [InlineData(1500)]
    [InlineData(100000)]
    public async Task BudgetTokens_IsHonouredWhenFeasible(int budget)
    {
        using var temp = new TempDirectory();
        string report = temp.File("report.json");
        string inputJson = HistoryFixtures.Conversation(toolCalls: 8).ToJsonString();

        CliRun run = await CliRunner.RunAsync(
            CliRunner.Utf8(inputJson), "compress-history", "--budget-tokens", budget.ToString(CultureInfo.InvariantCulture), "--report", report, "-q");

        Assert.Equal(ContextPressCli.ExitOk, run.ExitCode);
        JsonElement input = HistoryFixtures.Parse(inputJson);
        JsonElement output = HistoryFixtures.Parse(run.Stdout);
        HistoryFixtures.AssertValidCompression(input, output);
        JsonElement root = HistoryFixtures.Parse(File.ReadAllText(report));
        Assert.Equal(budget, root.GetProperty("budgetTokens").GetInt32());
        Assert.Equal(budget, root.GetProperty("requestedBudgetTokens").GetInt32());
        HistoryFixtures.AssertConsistentReport(root, input, output);
        int before = root.GetProperty("tokensBefore").GetInt32();
        int after = root.GetProperty("tokensAfter").GetInt32();
        if (budget >= before)
        {
            Assert.True(root.GetProperty("budgetFeasible").GetBoolean());
            Assert.Equal(before, after);
        }
        else if (root.GetProperty("budgetFeasible").GetBoolean())
        {
            Assert.True(after <= budget, $"{after} > {budget}");
        }
        else
        {
            Assert.True(after < before);
        }
    }

    [Fact]
    public async Task Jsonl_PreservesOrderAndIds_BadLinesGetErrorLinesAndExitOne()
    {
        var lines = new List<string>();
        for (int i = 0; i < 12; i++)
        {
            var line = new JsonObject
            {
                ["id"] = i % 4 == 3 ? JsonValue.Create(i) : JsonValue.Create($"conv-{i}"),
                ["messages"] = HistoryFixtures.Conversation(toolCalls: 2 + (i % 5), tag: $"J{i}"),
            };
            if (i % 3 == 1)
            {
                line["budget_tokens"] = 300 + (i * 10);
            }

            lines.Add(line.ToJsonString());
        }

        lines[5] = """{"id": "conv-5", "messages": [{"role": "user", "content": "hi"}""";                                  // truncated JSON
        lines[8] = """{"id": "conv-8", "messages": [{"role": "user", "content": "hi"}, {"role": "tool", "tool_call_id": "call_zz", "content": "{}"}]}""";
        lines.Insert(3, "   ");                                                                                                 // blank: skipped
        string input = string.Join("\r\n", lines) + "\n";

        CliRun run = await CliRunner.RunAsync(CliRunner.Utf8(input), "compress-history", "--format", "jsonl", "--target-ratio", "0.5", "--jobs", "4");

        Assert.Equal(ContextPressCli.ExitInputError, run.ExitCode);
        string[] outputLines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(12, outputLines.Length);
        for (int i = 0; i < outputLines.Length; i++)
        {
            JsonElement line = HistoryFixtures.Parse(outputLines[i]);
            JsonElement id = line.GetProperty("id");
            if (i % 4 == 3)
            {
                Assert.Equal(i, id.GetInt32());
            }
            else
            {
                Assert.Equal($"conv-{i}", id.GetString());
            }

            if (i is 5 or 8)
            {
                string error = line.GetProperty("error").GetString()!;
                Assert.False(line.TryGetProperty("messages", out _));
                int inputLine = i >= 3 ? i + 2 : i + 1;                                                                        // 1-based, after the blank line
                Assert.Equal(inputLine, line.GetProperty("line").GetInt32());
                Assert.Contains($"line {inputLine}", error, StringComparison.Ordinal);
                Assert.Contains(i == 5 ? "not valid JSON" : "call_zz", error, StringComparison.Ordinal);
                continue;
            }

            Assert.False(line.TryGetProperty("error", out _));
            JsonElement original = HistoryFixtures.Parse(JsonNode.Parse(lines[i >= 3 ? i + 1 : i])!["messages"]!.ToJsonString());
            JsonElement messages = line.GetProperty("messages");
            HistoryFixtures.AssertValidCompression(original, messages);
            JsonElement report = line.GetProperty("report");
            HistoryFixtures.AssertConsistentReport(report, original, messages);
            if (i % 3 == 1)
            {
                Assert.Equal(300 + (i * 10), report.GetProperty("requestedBudgetTokens").GetInt32());
            }
            else
            {
                Assert.Equal(0.5, report.GetProperty("requestedTargetRatio").GetDouble());
            }
        }

        Assert.Equal(2, run.StderrLines.Length);
        Assert.Matches(@"^compressed 10 of 12 conversations, \d+ -> \d+ tokens in \d+\.\d\d s(; \d+ over budget .+)?$", run.StderrLines[0]);
        Assert.StartsWith(ContextPressCli.ErrorPrefix + "2 of 12 conversations failed", run.StderrLines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jsonl_ManyLinesFromFileToFile_InOrderWithTotalsReport()
    {
        using var temp = new TempDirectory();
        string input = temp.File("in.jsonl");
        string output = temp.File("out.jsonl");
        string report = temp.File("report.json");
        const int Count = 60;
        using (var writer = new StreamWriter(input, append: false, s_utf8))
        {
            for (int i = 0; i < Count; i++)
            {
                var line = new JsonObject { ["id"] = $"c{i}", ["messages"] = HistoryFixtures.Conversation(toolCalls: 1 + (i % 7), tag: $"F{i}") };
                await writer.WriteLineAsync(line.ToJsonString().AsMemory(), TestContext.Current.CancellationToken);
            }
        }

        CliRun run = await CliRunner.RunAsync("compress-history", "-f", "jsonl", "-i", input, "-o", output, "--budget-tokens", "600", "--report", report, "-q");

        Assert.Equal(ContextPressCli.ExitOk, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.Equal(string.Empty, run.Stderr);
        string[] outputLines = File.ReadAllLines(output);
        Assert.Equal(Count, outputLines.Length);
        long before = 0;
        long after = 0;
        for (int i = 0; i < Count; i++)
        {
            JsonElement line = HistoryFixtures.Parse(outputLines[i]);
            Assert.Equal($"c{i}", line.GetProperty("id").GetString());
            Assert.Equal(new[] { "id", "messages", "report" }, line.EnumerateObject().Select(p => p.Name).ToArray());
            before += line.GetProperty("report").GetProperty("tokensBefore").GetInt32();
            after += line.GetProperty("report").GetProperty("tokensAfter").GetInt32();
        }

        JsonElement totals = HistoryFixtures.Parse(File.ReadAllText(report));
        Assert.Equal("jsonl", totals.GetProperty("format").GetString());
        Assert.Equal(Count, totals.GetProperty("conversations").GetInt32());
        Assert.Equal(0, totals.GetProperty("failed").GetInt32());
        Assert.Equal(before, totals.GetProperty("tokensBefore").GetInt64());
        Assert.Equal(after, totals.GetProperty("tokensAfter").GetInt64());
        Assert.Equal(JsonValueKind.Null, totals.GetProperty("firstError").ValueKind);
    }

    [Fact]
    public async Task Jsonl_EmptyInput_WritesNothingAndSucceeds()
    {
        CliRun run = await CliRunner.RunAsync(CliRunner.Utf8("\n\n"), "compress-history", "--format", "jsonl", "--input", "-");

        Assert.Equal(ContextPressCli.ExitOk, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.StartsWith("compressed 0 of 0 conversations", Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jsonl_LineWithoutIdOrNotAnObject_GetsErrorLineWithNullId()
    {
        string input = """
            {"messages": [{"role": "user", "content": "hi"}]}
            [1, 2]
            {"id": "ok", "messages": [{"role": "user", "content": "hello there"}]}
            """;

        CliRun run = await CliRunner.RunAsync(CliRunner.Utf8(input), "compress-history", "--format", "jsonl", "-q");

        Assert.Equal(ContextPressCli.ExitInputError, run.ExitCode);
        string[] lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal(JsonValueKind.Null, HistoryFixtures.Parse(lines[0]).GetProperty("id").ValueKind);
        Assert.Contains("'id'", HistoryFixtures.Parse(lines[0]).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, HistoryFixtures.Parse(lines[1]).GetProperty("id").ValueKind);
        Assert.Equal("ok", HistoryFixtures.Parse(lines[2]).GetProperty("id").GetString());
        Assert.True(HistoryFixtures.Parse(lines[2]).TryGetProperty("messages", out _));
        Assert.StartsWith(ContextPressCli.ErrorPrefix + "2 of 3 conversations failed", Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sample_CompressesTheEmbeddedAgentHistory()
    {
        using var temp = new TempDirectory();
        string report = temp.File("report.json");

        CliRun run = await CliRunner.RunAsync("compress-history", "--sample", "--target-ratio", "0.5", "--report", report);

        Assert.Equal(ContextPressCli.ExitOk, run.ExitCode);
        Assert.StartsWith("compressed ", Assert.Single(run.StderrLines), StringComparison.Ordinal);
        JsonElement sample = HistoryFixtures.Parse(Encoding.UTF8.GetString(SampleText.ReadBytes(SampleText.AgentHistoryMessages)));
        JsonElement[] messages = [.. sample.EnumerateArray()];
        Assert.Equal("system", messages[0].GetProperty("role").GetString());
        Assert.Equal("user", messages[^1].GetProperty("role").GetString());
        Assert.InRange(messages.Count(m => m.TryGetProperty("tool_calls", out _)), 5, 8);

        JsonElement output = HistoryFixtures.Parse(run.Stdout);
        HistoryFixtures.AssertValidCompression(sample, output);
        JsonElement root = HistoryFixtures.Parse(File.ReadAllText(report));
        Assert.Equal("sample", root.GetProperty("source").GetString());
        HistoryFixtures.AssertConsistentReport(root, sample, output);
        Assert.True(root.GetProperty("tokensAfter").GetInt32() < root.GetProperty("tokensBefore").GetInt32());
    }

    [Fact]
    public async Task NoInputOnTerminal_CompressesTheSample()
    {
        CliRun run = await CliRunner.RunAsync([], stdinIsRedirected: false, "compress-history", "-q");

        Assert.Equal(ContextPressCli.ExitOk, run.ExitCode);
        Assert.Contains("Larkspur", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("steps.txt", "Verify the customer\r\nCheck order QK7720 payments\n\nReply with the result\n", 3)]
    [InlineData("steps.json", """["Verify the customer", "Check order QK7720 payments"]""", 2)]
    [InlineData("plan.json", """{"steps": ["a", "b", "c", "d"], "current_step": 2}""", 4)]
    public async Task PlanFile_TextOrJson_IsUsed(string name, string content, int steps)
    {
        using var temp = new TempDirectory();
        string plan = temp.File(name);
        string report = temp.File("report.json");
        File.WriteAllText(plan, content, s_utf8);
        string inputJson = HistoryFixtures.Conversation().ToJsonString();

        CliRun run = await CliRunner.RunAsync(CliRunner.Utf8(inputJson), "compress-history", "--plan", plan, "--lookahead", "2", "--report", report, "-q");

        Assert.Equal(ContextPressCli.ExitOk, run.ExitCode);
        HistoryFixtures.AssertValidCompression(HistoryFixtures.Parse(inputJson), HistoryFixtures.Parse(run.Stdout));
        JsonElement root = HistoryFixtures.Parse(File.ReadAllText(report));
        Assert.Equal(steps, root.GetProperty("plan").GetProperty("steps").GetInt32());
        Assert.Equal(2, root.GetProperty("lookaheadSteps").GetInt32());
    }

    [Theory]
    [InlineData("[\"step\", 3]")]
    [InlineData("[1, 2")]
    [InlineData("{\"steps\": [\"a\"], \"current_step\": 5}")]
    [InlineData("  \n ")]
    public async Task BadPlanFile_ExitsWithInputError(string content)
    {
        using var temp = new TempDirectory();
        string plan = temp.File("plan.txt");
        File.WriteAllText(plan, content, s_utf8);

        CliRun run = await CliRunner.RunAsync(CliRunner.Utf8(HistoryFixtures.Conversation().ToJsonString()), "compress-history", "--plan", plan);

        Assert.Equal(ContextPressCli.ExitInputError, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        string line = Assert.Single(run.StderrLines);
        Assert.StartsWith(ContextPressCli.ErrorPrefix, line, StringComparison.Ordinal);
        Assert.Contains("plan file", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingPlanFile_ExitsWithInputErrorNamingIt()
    {
        using var temp = new TempDirectory();
        string missing = temp.File("plan.txt");

        CliRun run = await CliRunner.RunAsync(CliRunner.Utf8(HistoryFixtures.Conversation().ToJsonString()), "compress-history", "--plan", missing);

        Assert.Equal(ContextPressCli.ExitInputError, run.ExitCode);
        Assert.Equal(ContextPressCli.ErrorPrefix + $"plan file '{missing}' does not exist", Assert.Single(run.StderrLines));
    }

    [Fact]
    public async Task InvalidJson_ExitsWithInputErrorNamingLineAndPosition()
    {
        const string Input = "[\n  {\"role\": \"system\", \"content\": \"x\"},\n  {\"role\": \"user\" \"content\": \"y\"}\n]";

        CliRun run = await CliRunner.RunAsync(CliRunner.Utf8(Input), "compress-history");

        Assert.Equal(ContextPressCli.ExitInputError, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        string line = Assert.Single(run.StderrLines);
        Assert.StartsWith(ContextPressCli.ErrorPrefix, line, StringComparison.Ordinal);
        Assert.Contains("not valid JSON at line 3, position ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""[{"role": "user", "content": "hi"}, {"role": "tool", "tool_call_id": "call_9", "content": "{\"a\": 1}"}]""", "call_9")]
    [InlineData("""[{"role": "wizard", "content": "hi"}]""", "wizard")]
    [InlineData("""{"model": "m"}""", "messages")]
    [InlineData("42", "JSON array")]
    [InlineData("", "empty")]
    [InlineData("""{"messages": [], "budget_tokens": 10, "target_ratio": 0.5}""", "budget_tokens")]
    [InlineData("""{"messages": [], "budget_tokens": -3}""", "budget_tokens")]
    [InlineData("""{"messages": [], "target_ratio": 2}""", "target_ratio")]
    [InlineData("""{"messages": [], "plan": 7}""", "plan")]
    public async Task BadInput_ExitsWithInputErrorOnOneLine(string input, string expected)
    {
        CliRun run = await CliRunner.RunAsync(CliRunner.Utf8(input), "compress-history");

        Assert.Equal(ContextPressCli.ExitInputError, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        string line = Assert.Single(run.StderrLines);
        Assert.StartsWith(ContextPressCli.ErrorPrefix + "stdin", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingInputFile_ExitsWithInputError()
    {
        using var temp = new TempDirectory();
        string missing = temp.File("missing.json");

        foreach (string format in new[] { "json", "jsonl" })
        {
            CliRun run = await CliRunner.RunAsync("compress-history", "--input", missing, "--format", format);

            Assert.Equal(ContextPressCli.ExitInputError, run.ExitCode);
            string line = Assert.Single(run.StderrLines);
            Assert.StartsWith(ContextPressCli.ErrorPrefix, line, StringComparison.Ordinal);
            Assert.Contains(missing, line, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--budget-tokens", "-1")]
    [InlineData("--budget-tokens", "lots")]
    [InlineData("--target-ratio", "0")]
    [InlineData("--target-ratio", "1.5")]
    [InlineData("--target-ratio", "NaN")]
    [InlineData("--lookahead", "0")]
    [InlineData("--lookahead", "x")]
    [InlineData("--protected-turns", "-1")]
    [InlineData("--format", "xml")]
    [InlineData("--encoding", "p50k")]
    [InlineData("--jobs", "2")]
    [InlineData("--plan", "")]
    [InlineData("--no-such-option", "x")]
    public async Task BadOptions_ExitWithUsageErrorOnOneLine(string option, string value)
    {
        CliRun run = await CliRunner.RunAsync(CliRunner.Utf8(HistoryFixtures.Conversation().ToJsonString()), "compress-history", option, value);

        Assert.Equal(ContextPressCli.ExitUsageError, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.StartsWith(ContextPressCli.ErrorPrefix, Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--budget-tokens", "100", "--target-ratio", "0.5")]
    [InlineData("--sample", "--input", "-")]
    [InlineData("--sample", "--format", "jsonl")]
    [InlineData("--format", "jsonl", "--jobs", "0")]
    [InlineData("--report", "-")]
    public async Task BadOptionCombinations_ExitWithUsageError(params string[] args)
    {
        CliRun run = await CliRunner.RunAsync(CliRunner.Utf8("[]"), ["compress-history", .. args]);

        Assert.Equal(ContextPressCli.ExitUsageError, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.StartsWith(ContextPressCli.ErrorPrefix, Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonlWithoutInputOnTerminal_ExitsWithUsageError()
    {
        CliRun run = await CliRunner.RunAsync([], stdinIsRedirected: false, "compress-history", "--format", "jsonl");

        Assert.Equal(ContextPressCli.ExitUsageError, run.ExitCode);
        Assert.StartsWith(ContextPressCli.ErrorPrefix, Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cl100kEncoding_IsReported()
    {
        using var temp = new TempDirectory();
        string report = temp.File("report.json");

        CliRun run = await CliRunner.RunAsync(CliRunner.Utf8(HistoryFixtures.Conversation().ToJsonString()), "compress-history", "--encoding", "cl100k", "--report", report, "-q");

        Assert.Equal(ContextPressCli.ExitOk, run.ExitCode);
        Assert.Equal("cl100k_base", HistoryFixtures.Parse(File.ReadAllText(report)).GetProperty("encoding").GetString());
    }

    [Fact]
    public async Task CompressCommand_StillWorks()
    {
        CliRun run = await CliRunner.RunAsync(CliRunner.Utf8("hello world"), "compress", "--rate", "1", "--quiet");

        Assert.Equal(ContextPressCli.ExitOk, run.ExitCode);
        Assert.Equal("hello world", run.Stdout);
    }
}
