using ContextPress.Tests.TestSupport;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ContextPress.Cli;
using ContextPress.Tokens;
using Xunit;

namespace ContextPress.Tests.Cli;

public class ContextPressCliTests
{
    private const string Transcript = """
        [system] You are a support agent for an outdoor gear retailer. Verify the customer before discussing orders.
        [user] Hi, my name is Dana Whitfield and my order HAT136 was charged twice, both for $312.47 on 2024-11-03.
        My e-mail is dana.whitfield@example.com. Could you please look into this as soon as possible? Thanks a lot.
        [tool get_order] {"order_id": "HAT136", "status": "delivered", "total": 312.47, "items": ["tent", "stakes"]}
        [tool list_payments] Two captured charges were found for the order: ch_81 and ch_82, each $312.47, 37 seconds apart.
        The second charge was not recorded by the order service, which suggests the checkout form was submitted twice.
        [assistant] I can see that the order was indeed charged twice, so I am going to refund the duplicate charge now.
        [tool issue_refund] {"refund_id": "re_9Q", "amount": 312.47, "status": "succeeded", "eta": "5-10 business days"}
        [assistant] Dana, the duplicate charge of $312.47 has been refunded and should appear within 5 to 10 business days.

        """;

    private static string LongText(int copies) => string.Concat(Enumerable.Repeat(Transcript, copies));

    [Fact]
    public async Task FileInFileOut_WritesReportWithConsistentNumbers()
    {
        using var temp = new TempDirectory();
        string input = temp.File("in.txt");
        string output = temp.File("out.txt");
        string report = temp.File("report.json");
        string text = LongText(20);
        File.WriteAllText(input, text, new UTF8Encoding(false));

        CliRun run = await CliRunner.RunAsync("compress", "--input", input, "--output", output, "--rate", "0.4", "--report", report);

        Assert.Equal(ContextPressCli.ExitOk, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        string summary = Assert.Single(run.StderrLines);
        Assert.StartsWith("compressed ", summary, StringComparison.Ordinal);
        Assert.Contains(" tokens (rate ", summary, StringComparison.Ordinal);
        Assert.EndsWith(" ms", summary, StringComparison.Ordinal);

        byte[] outputBytes = File.ReadAllBytes(output);
        Assert.False(outputBytes.AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }), "output must not start with a BOM");
        string compressed = Encoding.UTF8.GetString(outputBytes);
        Assert.True(compressed.Length > 0 && compressed.Length < text.Length);

        using JsonDocument json = JsonDocument.Parse(File.ReadAllBytes(report));
        JsonElement root = json.RootElement;
        int before = root.GetProperty("tokensBefore").GetInt32();
        int after = root.GetProperty("tokensAfter").GetInt32();
        int target = root.GetProperty("targetTokens").GetInt32();
        bool feasible = root.GetProperty("budgetFeasible").GetBoolean();
        Assert.Equal("o200k_base", root.GetProperty("encoding").GetString());
        Assert.Equal("default", root.GetProperty("mode").GetString());
        Assert.Equal(input, root.GetProperty("source").GetString());
        Assert.Equal(new FileInfo(input).Length, root.GetProperty("inputBytes").GetInt64());
        Assert.Equal(text.Length, root.GetProperty("inputChars").GetInt32());
        Assert.Equal(compressed.Length, root.GetProperty("outputChars").GetInt32());
        Assert.Equal(outputBytes.Length, root.GetProperty("outputBytes").GetInt32());
        Assert.Equal(0.4, root.GetProperty("requestedRate").GetDouble());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("requestedTargetTokens").ValueKind);
        Assert.Equal(TiktokenTokenCounter.O200k.CountTokens(text), before);
        Assert.Equal(TiktokenTokenCounter.O200k.CountTokens(compressed), after);
        Assert.Equal((int)Math.Floor(0.4 * before), target);
        Assert.True(feasible);
        Assert.True(after <= target, $"{after} > {target}");
        Assert.True(after > 0);
        Assert.Equal((double)before / after, root.GetProperty("ratio").GetDouble(), 1e-5);
        Assert.Equal((double)after / before, root.GetProperty("rate").GetDouble(), 1e-5);
        Assert.True(root.GetProperty("chunks").GetInt32() >= 1);

        JsonElement timings = root.GetProperty("timingsMs");
        double tokenize = timings.GetProperty("tokenize").GetDouble();
        double score = timings.GetProperty("score").GetDouble();
        double select = timings.GetProperty("select").GetDouble();
        double total = timings.GetProperty("total").GetDouble();
        Assert.All(new[] { tokenize, score, select, total }, ms => Assert.True(ms >= 0));
        Assert.Equal(tokenize + score + select, total, 0.01);
    }

    [Fact]
    public async Task StdinDash_ReadsStdinAndWritesStdout()
    {
        string text = LongText(5);

        CliRun run = await CliRunner.RunAsync(CliRunner.Utf8(text), "compress", "--input", "-", "--rate", "0.5", "--quiet");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(string.Empty, run.Stderr);
        Assert.True(run.Stdout.Length > 0 && run.Stdout.Length < text.Length);
        Assert.True(TiktokenTokenCounter.O200k.CountTokens(run.Stdout) <= TiktokenTokenCounter.O200k.CountTokens(text) / 2);
    }

    [Fact]
    public async Task NoInputOption_ReadsRedirectedStdin()
    {
        string text = LongText(3);

        CliRun run = await CliRunner.RunAsync(CliRunner.Utf8(text), stdinIsRedirected: true, "compress", "-q");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("HAT136", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Larkspur", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoInputOption_OnTerminal_CompressesSample()
    {
        CliRun run = await CliRunner.RunAsync([], stdinIsRedirected: false, "compress");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Larkspur", run.Stdout, StringComparison.Ordinal);
        Assert.StartsWith("compressed ", Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sample_ProducesOutputSmallerThanSample()
    {
        using var temp = new TempDirectory();
        string report = temp.File("report.json");

        CliRun run = await CliRunner.RunAsync("compress", "--sample", "--rate", "0.5", "--report", report, "--quiet");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(string.Empty, run.Stderr);
        using JsonDocument json = JsonDocument.Parse(File.ReadAllBytes(report));
        JsonElement root = json.RootElement;
        Assert.Equal("sample", root.GetProperty("source").GetString());
        int sampleChars = root.GetProperty("inputChars").GetInt32();
        int sampleWords = Encoding.UTF8.GetString(SampleText.ReadBytes(SampleText.AgentHistory)).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        Assert.InRange(sampleWords, 1500, 2700);
        Assert.True(run.Stdout.Length < sampleChars, $"{run.Stdout.Length} >= {sampleChars}");
        Assert.True(root.GetProperty("tokensAfter").GetInt32() <= root.GetProperty("tokensBefore").GetInt32() / 2);
        Assert.Contains("HAT136", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("UM3OG5", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(50)]
    [InlineData(200)]
    [InlineData(0)]
    public async Task TargetTokens_IsRespected(int target)
    {
        using var temp = new TempDirectory();
        string report = temp.File("report.json");
        string text = LongText(4);

        CliRun run = await CliRunner.RunAsync(CliRunner.Utf8(text), "compress", "--target-tokens", target.ToString(CultureInfo.InvariantCulture), "--report", report, "--quiet");

        Assert.Equal(0, run.ExitCode);
        using JsonDocument json = JsonDocument.Parse(File.ReadAllBytes(report));
        JsonElement root = json.RootElement;
        Assert.Equal(target, root.GetProperty("targetTokens").GetInt32());
        Assert.Equal(target, root.GetProperty("requestedTargetTokens").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("requestedRate").ValueKind);
        int after = TiktokenTokenCounter.O200k.CountTokens(run.Stdout);
        Assert.Equal(after, root.GetProperty("tokensAfter").GetInt32());
        if (root.GetProperty("budgetFeasible").GetBoolean())
        {
            Assert.True(after <= target, $"{after} > {target}");
        }
        else
        {
            // Digits are force-kept by default; an infeasible budget keeps only what must be kept.
            Assert.True(after < TiktokenTokenCounter.O200k.CountTokens(text));
        }
    }

    [Fact]
    public async Task RateAndTargetTogether_ExitsWithUsageErrorOnOneLine()
    {
        CliRun run = await CliRunner.RunAsync(CliRunner.Utf8("hello world"), "compress", "--rate", "0.5", "--target-tokens", "10");

        Assert.Equal(ContextPressCli.ExitUsageError, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        string line = Assert.Single(run.StderrLines);
        Assert.StartsWith(ContextPressCli.ErrorPrefix, line, StringComparison.Ordinal);
        Assert.Contains("--rate", line, StringComparison.Ordinal);
        Assert.Contains("--target-tokens", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--rate", "0")]
    [InlineData("--rate", "-0.1")]
    [InlineData("--rate", "1.5")]
    [InlineData("--rate", "NaN")]
    [InlineData("--rate", "abc")]
    [InlineData("--target-tokens", "-5")]
    [InlineData("--target-tokens", "many")]
    [InlineData("--mode", "fancy")]
    [InlineData("--encoding", "p50k")]
    [InlineData("--force-tokens", ",")]
    [InlineData("--no-such-option", "x")]
    public async Task BadOptions_ExitWithUsageErrorOnOneLine(string option, string value)
    {
        CliRun run = await CliRunner.RunAsync(CliRunner.Utf8("hello world"), "compress", option, value);

        Assert.Equal(ContextPressCli.ExitUsageError, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.StartsWith(ContextPressCli.ErrorPrefix, Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InputAndSampleTogether_ExitWithUsageError()
    {
        CliRun run = await CliRunner.RunAsync("compress", "--input", "-", "--sample");

        Assert.Equal(ContextPressCli.ExitUsageError, run.ExitCode);
        Assert.StartsWith(ContextPressCli.ErrorPrefix, Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoCommand_ExitsWithUsageError()
    {
        CliRun run = await CliRunner.RunAsync();

        Assert.Equal(ContextPressCli.ExitUsageError, run.ExitCode);
        Assert.StartsWith(ContextPressCli.ErrorPrefix, Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingFile_ExitsWithInputErrorOnOneLine()
    {
        using var temp = new TempDirectory();
        string missing = temp.File("missing.txt");

        CliRun run = await CliRunner.RunAsync("compress", "--input", missing);

        Assert.Equal(ContextPressCli.ExitInputError, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        string line = Assert.Single(run.StderrLines);
        Assert.StartsWith(ContextPressCli.ErrorPrefix, line, StringComparison.Ordinal);
        Assert.Contains(missing, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DirectoryAsInput_ExitsWithInputError()
    {
        using var temp = new TempDirectory();

        CliRun run = await CliRunner.RunAsync("compress", "--input", temp.Path);

        Assert.Equal(ContextPressCli.ExitInputError, run.ExitCode);
        Assert.StartsWith(ContextPressCli.ErrorPrefix, Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnwritableOutput_ExitsWithInputError()
    {
        using var temp = new TempDirectory();

        CliRun run = await CliRunner.RunAsync(CliRunner.Utf8("hello world"), "compress", "--output", temp.File("no/such/dir/out.txt"));

        Assert.Equal(ContextPressCli.ExitInputError, run.ExitCode);
        Assert.StartsWith(ContextPressCli.ErrorPrefix, Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { (byte)'a', (byte)'b', 0xC3, 0x28, (byte)'c' }, 2)]
    [InlineData(new byte[] { 0xFF, (byte)'a' }, 0)]
    [InlineData(new byte[] { (byte)'o', (byte)'k', 0xE2, 0x82 }, 2)]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'x', 0xED, 0xA0, 0x80 }, 4)]
    public async Task InvalidUtf8_ExitsWithInputErrorNamingTheOffset(byte[] bytes, int offset)
    {
        using var temp = new TempDirectory();
        string input = temp.File("bad.txt");
        File.WriteAllBytes(input, bytes);

        foreach (CliRun run in new[]
        {
            await CliRunner.RunAsync("compress", "--input", input),
            await CliRunner.RunAsync(bytes, "compress", "--input", "-"),
        })
        {
            Assert.Equal(ContextPressCli.ExitInputError, run.ExitCode);
            Assert.Equal(string.Empty, run.Stdout);
            string line = Assert.Single(run.StderrLines);
            Assert.StartsWith(ContextPressCli.ErrorPrefix, line, StringComparison.Ordinal);
            Assert.Contains("UTF-8", line, StringComparison.Ordinal);
            Assert.Contains($"offset {offset}", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task EmptyInput_GivesEmptyOutput()
    {
        using var temp = new TempDirectory();
        string input = temp.File("empty.txt");
        string output = temp.File("out.txt");
        File.WriteAllBytes(input, []);

        CliRun fromFile = await CliRunner.RunAsync("compress", "--input", input, "--output", output, "--quiet");
        CliRun fromStdin = await CliRunner.RunAsync([], "compress", "--quiet");
        CliRun bomOnly = await CliRunner.RunAsync([0xEF, 0xBB, 0xBF], "compress", "--quiet");

        Assert.Equal(0, fromFile.ExitCode);
        Assert.Empty(File.ReadAllBytes(output));
        Assert.Equal(string.Empty, fromFile.Stderr);
        Assert.Equal(0, fromStdin.ExitCode);
        Assert.Equal(string.Empty, fromStdin.Stdout);
        Assert.Equal(string.Empty, fromStdin.Stderr);
        Assert.Equal(0, bomOnly.ExitCode);
        Assert.Equal(string.Empty, bomOnly.Stdout);
    }

    [Fact]
    public async Task Bom_IsStripped()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. CliRunner.Utf8("hello world")];

        CliRun run = await CliRunner.RunAsync(bytes, "compress", "--rate", "1", "--quiet");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("hello world", run.Stdout);
    }

    [Fact]
    public async Task TenMegabyteInput_CompletesAndShrinks()
    {
        using var temp = new TempDirectory();
        string input = temp.File("big.txt");
        string output = temp.File("big.out.txt");
        var builder = new StringBuilder(10_200_000);
        for (int i = 0; builder.Length < 10_000_000; i++)
        {
            builder.Append(Transcript.Replace("HAT136", $"HAT{i}", StringComparison.Ordinal));
        }

        File.WriteAllText(input, builder.ToString(), new UTF8Encoding(false));

        CliRun run = await CliRunner.RunAsync("compress", "--input", input, "--output", output, "--rate", "0.5");

        Assert.Equal(0, run.ExitCode);
        long inputLength = new FileInfo(input).Length;
        long outputLength = new FileInfo(output).Length;
        Assert.True(inputLength >= 10_000_000);
        Assert.True(outputLength > 0 && outputLength < inputLength * 3 / 4, $"{outputLength} of {inputLength}");
        Assert.StartsWith("compressed ", Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.5", "o200k")]
    [InlineData("0.3", "o200k")]
    [InlineData("0.3", "cl100k")]
    public async Task CjkEmojiRtl_RoundTripWithoutBrokenSurrogates(string rate, string encoding)
    {
        using var temp = new TempDirectory();
        string input = temp.File("unicode.txt");
        string output = temp.File("unicode.out.txt");
        const string Line = "订单 HAT136 已发货 🚚📦 — شكراً لك على طلبك رقم 4471. שלום, ההזמנה שלך בדרך! 👩🏽‍💻 こんにちは世界。顧客 Priya 🇺🇸 님 주문 UM3OG5 확인했습니다 😀𝄞\n";
        string text = string.Concat(Enumerable.Repeat(Line, 40));
        File.WriteAllText(input, text, new UTF8Encoding(false));

        CliRun run = await CliRunner.RunAsync("compress", "--input", input, "--output", output, "--rate", rate, "--encoding", encoding, "--quiet");

        Assert.Equal(0, run.ExitCode);
        byte[] bytes = File.ReadAllBytes(output);
        string compressed = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes); // throws on broken UTF-8
        Assert.True(compressed.Length > 0 && compressed.Length < text.Length);
        TextAssert.WellFormedUtf16(compressed);

        var inputRunes = new HashSet<Rune>(text.EnumerateRunes());
        foreach (Rune rune in compressed.EnumerateRunes())
        {
            Assert.Contains(rune, inputRunes);
        }

        // The same text through stdout.
        CliRun viaStdout = await CliRunner.RunAsync(CliRunner.Utf8(text), "compress", "--rate", rate, "--encoding", encoding, "--quiet");
        Assert.Equal(compressed, viaStdout.Stdout);
    }

    [Fact]
    public async Task ForceTokenQuestionMark_KeepsEveryQuestionMark()
    {
        string text = string.Concat(Enumerable.Range(0, 30).Select(i =>
            $"The customer wrote again about the delayed parcel and the refund she had been promised last week? " +
            $"Was the replacement really shipped from the warehouse on Monday or only scheduled for pickup? " +
            $"Honestly the whole situation has been rather frustrating for everybody involved in case number {i}.\n"));
        int questions = text.Count(c => c == '?');

        CliRun forced = await CliRunner.RunAsync(CliRunner.Utf8(text), "compress", "--rate", "0.2", "--force-tokens", "?", "--quiet");
        CliRun plain = await CliRunner.RunAsync(CliRunner.Utf8(text), "compress", "--rate", "0.2", "--quiet");

        Assert.Equal(0, forced.ExitCode);
        Assert.Equal(questions, forced.Stdout.Count(c => c == '?'));
        Assert.True(forced.Stdout.Length < text.Length);
        Assert.Equal(0, plain.ExitCode);
        Assert.True(plain.Stdout.Count(c => c == '?') < questions, "without the force token some '?' should be dropped");
    }

    [Fact]
    public async Task ForceTokens_CommaSeparatedAndRepeated()
    {
        string text = string.Concat(Enumerable.Repeat("Please note: the quick brown fox jumps over the lazy dog near the riverbank! Really?\n", 30));

        CliRun run = await CliRunner.RunAsync(CliRunner.Utf8(text), "compress", "--rate", "0.2", "--force-tokens", "?,!", "-f", "note:", "--quiet");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(30, run.Stdout.Count(c => c == '?'));
        Assert.Equal(30, run.Stdout.Count(c => c == '!'));
        Assert.Equal(30, TextAssert.CountOccurrences(run.Stdout, "note:"));
    }

    [Fact]
    public void ForceTokenParser_SplitsAndUnescapes()
    {
        IReadOnlyList<string> tokens = ForceTokenParser.Parse(["\\n,?", "a\\,b", "C:\\path", "\\t", "?", "x\\\\y"]);

        Assert.Equal(["\n", "?", "a,b", "C:\\path", "\t", "x\\y"], tokens);
    }

    [Fact]
    public async Task ReferenceMode_CountsInCl100k()
    {
        using var temp = new TempDirectory();
        string report = temp.File("report.json");

        CliRun run = await CliRunner.RunAsync(CliRunner.Utf8(LongText(4)), "compress", "--mode", "reference", "--rate", "0.5", "--report", report, "--quiet");

        Assert.Equal(0, run.ExitCode);
        using JsonDocument json = JsonDocument.Parse(File.ReadAllBytes(report));
        Assert.Equal("cl100k_base", json.RootElement.GetProperty("encoding").GetString());
        Assert.Equal("reference", json.RootElement.GetProperty("mode").GetString());
        Assert.True(run.Stdout.Length < LongText(4).Length);
    }

    [Fact]
    public async Task ReportDash_WritesJsonToStdoutWhenOutputIsAFile()
    {
        using var temp = new TempDirectory();
        string output = temp.File("out.txt");

        CliRun run = await CliRunner.RunAsync(CliRunner.Utf8(LongText(2)), "compress", "--output", output, "--report", "-", "--encoding", "cl100k", "--question", "How much was refunded?", "--quiet");

        Assert.Equal(0, run.ExitCode);
        using JsonDocument json = JsonDocument.Parse(run.Stdout);
        Assert.Equal("cl100k_base", json.RootElement.GetProperty("encoding").GetString());
        Assert.Equal("-", json.RootElement.GetProperty("source").GetString());
        Assert.True(File.Exists(output));
    }

    [Fact]
    public async Task Help_ExitsZero()
    {
        CliRun run = await CliRunner.RunAsync("compress", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--target-tokens", run.Stdout, StringComparison.Ordinal);
    }


}
