using System.Diagnostics;
using ContextPress.Predictor;
using ContextPress.Predictor.Chat;
using ContextPress.Predictor.DependencyInjection;
using ContextPress.Predictor.Scoring;
using ContextPress.Predictor.Tokenization;
using ContextPress.Scoring;
using ContextPress.Torch;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the local Llama-family predictor: the model, its tokenizer, a chat client and, when asked, a token scorer.</summary>
public static partial class LocalPredictorServiceCollectionExtensions
{
    /// <summary>
    /// Adds the checkpoint of <see cref="LocalPredictorOptions.ModelPath"/> as singletons: <see cref="LocalModel"/>,
    /// <see cref="CausalLM"/> (disposed with the container), <see cref="IPromptTokenizer"/> and <see cref="LocalChatClient"/>.
    /// The client is registered as <see cref="IChatClient"/> twice: keyed by <see cref="LocalChatClient.ProviderName"/>
    /// (always, so it can sit beside a remote client), and unkeyed unless an <see cref="IChatClient"/> is already registered.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the model path, device, dtype, template.</param>
    /// <returns>The service collection.</returns>
    /// <remarks>
    /// Options are validated at host start and, without a host, when the model is first resolved: a missing checkpoint,
    /// an unknown device or CUDA without a CUDA backend throws <see cref="OptionsValidationException"/> naming the setting.
    /// The checkpoint is loaded on first resolution.
    /// </remarks>
    public static IServiceCollection AddLocalChatClient(this IServiceCollection services, Action<LocalPredictorOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<LocalPredictorOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LocalPredictorOptions>, LocalPredictorOptionsValidator>());

        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<LocalPredictorOptions>>().Value;
            var logger = sp.GetService<ILoggerFactory>()?.CreateLogger(typeof(LocalModel)) ?? NullLogger.Instance;
            var started = Stopwatch.GetTimestamp();
            var device = TorchDevices.Resolve(options.Device);
            var loaded = LocalModel.Load(options.ModelPath, options.TokenizerPath, options.DType, device);
            LogLoaded(logger, loaded.Name, loaded.Model.ParameterCount, device.ToString(), options.DType.ToString(), Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return loaded;
        });
        services.TryAddSingleton(sp => sp.GetRequiredService<LocalModel>().Model);
        services.TryAddSingleton(sp => sp.GetRequiredService<LocalModel>().Tokenizer);
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<LocalPredictorOptions>>().Value;
            var loaded = sp.GetRequiredService<LocalModel>();
            return new LocalChatClient(
                sp.GetRequiredService<CausalLM>(),
                sp.GetRequiredService<IPromptTokenizer>(),
                options.Template ?? new RawTextChatTemplate(),
                new LocalChatClientOptions { ModelId = options.ModelId ?? loaded.Name, DefaultMaxOutputTokens = options.DefaultMaxOutputTokens, KvCache = options.KvCache });
        });
        services.TryAddKeyedSingleton<IChatClient>(LocalChatClient.ProviderName, (sp, _) => sp.GetRequiredService<LocalChatClient>());
        services.TryAddSingleton<IChatClient>(sp => sp.GetRequiredService<LocalChatClient>());
        return services;
    }

    /// <summary>
    /// Registers a <see cref="CausalLmScorer"/> over the model of <see cref="AddLocalChatClient"/> and makes it the
    /// <see cref="ITokenScorer"/>, replacing any registered before (such as the statistical default of
    /// <c>AddPromptCompression</c>, whichever is called first).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="options">Scorer settings; <see cref="CausalLmScorerOptions.ModelName"/> defaults to the checkpoint's name.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddLocalTokenScorer(this IServiceCollection services, CausalLmScorerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        (options ?? new CausalLmScorerOptions()).Validate();
        services.TryAddSingleton(sp => new CausalLmScorer(
            sp.GetRequiredService<CausalLM>(),
            sp.GetRequiredService<IPromptTokenizer>(),
            (options ?? new CausalLmScorerOptions()) with { ModelName = options?.ModelName ?? sp.GetRequiredService<LocalModel>().Name },
            sp.GetService<ILogger<CausalLmScorer>>()));
        services.Replace(ServiceDescriptor.Singleton<ITokenScorer>(sp => sp.GetRequiredService<CausalLmScorer>()));
        return services;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded local model {Name}: {Parameters} parameters on {Device} as {DType} in {Milliseconds:F0} ms")]
    private static partial void LogLoaded(ILogger logger, string name, long parameters, string device, string dtype, double milliseconds);
}
