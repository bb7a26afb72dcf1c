using ContextPress.Compression;
using ContextPress.Predictor.Chat;
using ContextPress.Predictor.DependencyInjection;
using ContextPress.Predictor.Scoring;
using ContextPress.Predictor.Tokenization;
using ContextPress.Scoring;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ContextPress.Predictor.Tests;

/// <summary><c>AddLocalChatClient</c> and <c>AddLocalTokenScorer</c> over stories260K.</summary>
public sealed class LocalPredictorServiceCollectionTests
{
    private static string? StoriesBin() => SharedModels.Find("stories260K") is { } dir ? Path.Combine(dir, "stories260K.bin") : null;

    [Fact]
    public async Task TheRegisteredChatClientGeneratesTheReferenceGreedyText()
    {
        var bin = StoriesBin();
        Assert.SkipWhen(bin is null, "shared/models/stories260K is absent");
        var services = new ServiceCollection().AddLocalChatClient(o =>
        {
            o.ModelPath = bin;
            o.Device = "cpu";
        });
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var client = provider.GetRequiredService<IChatClient>();
        Assert.IsType<LocalChatClient>(client);
        Assert.Same(client, provider.GetRequiredKeyedService<IChatClient>(LocalChatClient.ProviderName));
        Assert.Same(provider.GetRequiredService<LocalModel>().Model, provider.GetRequiredService<CausalLM>());
        Assert.IsType<Llama2cPromptTokenizer>(provider.GetRequiredService<IPromptTokenizer>());
        Assert.Equal("stories260K", client.GetService<ChatClientMetadata>()?.DefaultModelId);

        // Raw template, empty user text: the prompt is BOS alone, as in llama2.c's reference run.
        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "")], new ChatOptions { MaxOutputTokens = 200 }, TestContext.Current.CancellationToken);
        var expected = await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(bin)!, "expected_greedy_200.txt"), TestContext.Current.CancellationToken);
        Assert.Equal(expected.TrimStart(), response.Text.TrimStart());
    }

    [Fact]
    public async Task TheLocalScorerReplacesTheStatisticalDefaultInEitherOrder()
    {
        var bin = StoriesBin();
        Assert.SkipWhen(bin is null, "shared/models/stories260K is absent");
        foreach (var scorerFirst in new[] { true, false })
        {
            var services = new ServiceCollection();
            services.AddLocalChatClient(o => o.ModelPath = bin);
            if (scorerFirst)
            {
                services.AddLocalTokenScorer(new CausalLmScorerOptions { MaxChunkTokens = 128 });
                services.AddPromptCompression();
            }
            else
            {
                services.AddPromptCompression();
                services.AddLocalTokenScorer(new CausalLmScorerOptions { MaxChunkTokens = 128 });
            }
            await using var provider = services.BuildServiceProvider();
            var scorer = Assert.IsType<CausalLmScorer>(provider.GetRequiredService<ITokenScorer>());
            Assert.StartsWith("causal-lm/v1/stories260K/Float32/", scorer.Fingerprint, StringComparison.Ordinal);
            Assert.Equal(128, scorer.MaxChunkTokens);
            var compressor = provider.GetRequiredService<PromptCompressor>();
            Assert.Same(scorer, compressor.Scorer);
            var result = await compressor.CompressAsync("Once upon a time, there was a little girl named Lily. She liked to play with her big red ball in the park.", new PromptCompressionOptions { Rate = 0.5 }, TestContext.Current.CancellationToken);
            Assert.True(result.CompressedTokens <= result.TargetTokens);
        }
    }

    [Theory]
    [InlineData("missing", "auto", "ModelPath")]
    [InlineData("", "auto", "ModelPath is required")]
    [InlineData(null, "tpu", "Unknown device 'tpu'")]
    [InlineData(null, "cuda", "no CUDA device")]
    public async Task InvalidOptionsFailNamingTheSetting(string? modelPath, string device, string message)
    {
        var bin = StoriesBin() ?? Path.Combine(AppContext.BaseDirectory, "ContextPress.Predictor.Tests.dll"); // validation only checks existence
        Assert.SkipWhen(device == "cuda" && TorchSharp.torch.cuda.is_available(), "CUDA is available here");
        var services = new ServiceCollection().AddLocalChatClient(o =>
        {
            o.ModelPath = modelPath switch { null => bin, "missing" => Path.Combine(Path.GetTempPath(), $"cp-missing-{Guid.NewGuid():N}.bin"), _ => modelPath };
            o.Device = device;
        });
        await using var provider = services.BuildServiceProvider();
        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IChatClient>());
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("LocalPredictorOptions: ", e.Failures.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void ValidOptionsPass()
    {
        var bin = StoriesBin();
        Assert.SkipWhen(bin is null, "shared/models/stories260K is absent");
        new LocalPredictorOptions { ModelPath = bin, Device = "cpu" }.Validate();
        Assert.Throws<ArgumentException>(() => new LocalPredictorOptions { ModelPath = bin, DType = TorchSharp.torch.ScalarType.Int32 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new LocalPredictorOptions { ModelPath = bin, DefaultMaxOutputTokens = 0 }.Validate());
    }
}
