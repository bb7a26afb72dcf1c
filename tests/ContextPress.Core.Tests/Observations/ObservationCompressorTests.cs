using System.Text.Json;
using ContextPress.Observations;
using ContextPress.Tests.TestSupport;

namespace ContextPress.Tests.Observations;

public class ObservationCompressorTests
{
    private static readonly ObservationCompressor s_compressor = ObservationCompressor.CreateDefault();

    private static string Orders(int count) =>
        $"{{\"request_id\":\"req-1\",\"orders\":[{string.Join(',', Enumerable.Range(0, count).Select(i => $"{{\"id\":\"ORD-{50000 + i}\",\"total\":{100 + i}.5,\"note\":\"{SampleTexts.Prose(30, seed: i).ReplaceLineEndings(" ")}\"}}"))}]}}";

    [Fact]
    public async Task JsonOverTheThreshold_StaysValidJson_AndKeepsTheRecordTheCallNamed()
    {
        string json = Orders(40);
        var result = await s_compressor.CompressAsync(
            json,
            new ObservationCompressionOptions { ThresholdTokens = 100, TargetRatio = 0.3 },
            new ObservationContext("search", "{\"query\":\"ORD-50033\"}", "Refund ORD-50033"),
            TestContext.Current.CancellationToken);

        Assert.True(result.Compressed);
        Assert.True(result.IsJson);
        Assert.True(result.TokensAfter < result.TokensBefore * 0.5, $"{result.TokensAfter} of {result.TokensBefore}");
        using JsonDocument document = JsonDocument.Parse(result.Text);
        Assert.Contains("ORD-50033", result.Text, StringComparison.Ordinal);
        Assert.Contains("133.5", result.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AtOrUnderTheThreshold_TheResultIsUnchanged()
    {
        string json = Orders(2);
        var result = await s_compressor.CompressAsync(json, new ObservationCompressionOptions { ThresholdTokens = 10_000 }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(result.Compressed);
        Assert.Same(json, result.Text);
        Assert.Equal(result.TokensBefore, result.TokensAfter);
    }

    [Fact]
    public async Task Prose_IsTokenCompressed_KeepingValuesTheRequestNames()
    {
        string prose = SampleTexts.Prose(400) + " The confirmation code is QX7-88213 for this booking. " + SampleTexts.Prose(200, seed: 3);
        var result = await s_compressor.CompressAsync(
            prose,
            new ObservationCompressionOptions { ThresholdTokens = 50, TargetRatio = 0.2 },
            new ObservationContext(Request: "Cancel booking QX7-88213"),
            TestContext.Current.CancellationToken);

        Assert.True(result.Compressed);
        Assert.False(result.IsJson);
        Assert.Contains("QX7-88213", result.Text, StringComparison.Ordinal);
        Assert.True(result.TokensAfter <= result.TokensBefore * 0.3);
    }

    [Theory]
    [InlineData("Crm-GetOrder", null)]
    [InlineData("Crm_GetOrder", null)]
    [InlineData("GetOrder", "Crm")]
    public void Settings_MatchAFunctionByFullOrOwnName(string name, string? plugin)
    {
        var settings = new ObservationCompressionSettings();
        var special = new ObservationCompressionOptions { ThresholdTokens = 42 };
        settings.Functions["Crm.GetOrder"] = special;
        settings.ExcludedFunctions.Add("Login");

        Assert.Same(special, settings.For(name, plugin));
        Assert.Null(settings.For("Crm_Login"));
        Assert.Null(settings.For("Login", "Crm"));
        Assert.Same(settings.Default, settings.For("Crm_SearchOrders"));

        // A key without the plugin matches the function in any plugin; a bare name cannot match a plugin-qualified key.
        settings.Functions["SearchOrders"] = special;
        Assert.Same(special, settings.For("Crm_SearchOrders"));
        Assert.Same(settings.Default, settings.For("GetOrder"));
    }

    [Fact]
    public void InvalidSettings_Throw()
    {
        var settings = new ObservationCompressionSettings();
        settings.Functions["x"] = new ObservationCompressionOptions { TargetRatio = 0 };
        Assert.Throws<ArgumentOutOfRangeException>(settings.Validate);
    }
}
