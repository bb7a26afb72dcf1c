using ContextPress.Compression;
using ContextPress.Scoring;
using ContextPress.Tests.TestSupport;
using ContextPress.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ContextPress.Tests.Compression;

public class PromptCompressionDependencyInjectionTests
{
    [Fact]
    public async Task AddPromptCompression_RegistersAWorkingCompressor()
    {
        using ServiceProvider services = new ServiceCollection().AddPromptCompression().BuildServiceProvider();
        PromptCompressor compressor = services.GetRequiredService<PromptCompressor>();
        Assert.Same(compressor, services.GetRequiredService<PromptCompressor>());
        Assert.Same(TiktokenTokenCounter.O200k, compressor.TokenCounter);
        PromptCompressionResult result = await compressor.CompressAsync(SampleTexts.AgentProse, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(result.CompressedTokens < result.OriginalTokens);
    }

    [Fact]
    public void AddPromptCompression_HonoursEncodingAndAnExistingScorer()
    {
        var scorer = new FunctionScorer(_ => 0.5f);
        using ServiceProvider services = new ServiceCollection()
            .AddSingleton<ITokenScorer>(scorer)
            .AddPromptCompression(o => o.Encoding = TokenEncoding.Cl100kBase)
            .BuildServiceProvider();
        PromptCompressor compressor = services.GetRequiredService<PromptCompressor>();
        Assert.Same(scorer, compressor.Scorer);
        Assert.Equal("cl100k_base", compressor.TokenCounter.EncodingName);
    }

    [Fact]
    public async Task AddPromptCompression_AppliesConfiguredDefaults()
    {
        using ServiceProvider services = new ServiceCollection()
            .AddPromptCompression(o => o.Defaults = new PromptCompressionOptions { TargetTokens = 30 })
            .BuildServiceProvider();
        PromptCompressionResult result = await services.GetRequiredService<PromptCompressor>().CompressAsync(SampleTexts.AgentProse, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(30, result.TargetTokens);
    }

    [Fact]
    public void AddPromptCompression_RejectsInvalidDefaults()
    {
        using ServiceProvider services = new ServiceCollection()
            .AddPromptCompression(o => o.Defaults = new PromptCompressionOptions { Rate = 2 })
            .BuildServiceProvider();
        Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<PromptCompressor>());
    }
}
