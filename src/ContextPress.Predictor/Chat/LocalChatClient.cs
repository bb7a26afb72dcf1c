using System.Runtime.CompilerServices;
using ContextPress.Predictor.Generation;
using ContextPress.Predictor.Tokenization;
using Microsoft.Extensions.AI;

namespace ContextPress.Predictor.Chat;

/// <summary>
/// An <see cref="IChatClient"/> over a local <see cref="CausalLM"/>: renders the conversation with a chat template,
/// generates with the KV cache of <see cref="LocalChatClientOptions.KvCache"/> (dense by default), streams text as tokens complete (never splitting a UTF-8 character or a stop
/// sequence), and reports usage. Requests are served one at a time.
/// </summary>
public sealed class LocalChatClient : IChatClient
{
    /// <summary>Provider name in <see cref="ChatClientMetadata"/>.</summary>
    public const string ProviderName = "contextpress-local";

    private readonly CausalLM _model;
    private readonly IPromptTokenizer _tokenizer;
    private readonly IChatTemplate _template;
    private readonly LocalChatClientOptions _options;
    private readonly ChatClientMetadata _metadata;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Creates a client; the model stays the caller's unless <see cref="LocalChatClientOptions.DisposeModel"/>.</summary>
    public LocalChatClient(CausalLM model, IPromptTokenizer tokenizer, IChatTemplate template, LocalChatClientOptions? options = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        _template = template ?? throw new ArgumentNullException(nameof(template));
        _options = options ?? new LocalChatClientOptions();
        _metadata = new ChatClientMetadata(ProviderName, providerUri: null, defaultModelId: _options.ModelId);
    }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            updates.Add(update);
        }
        return updates.ToChatResponse();
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var promptIds = _tokenizer.Encode(_template.Render(messages), _template.AddBos);
        var maxTokens = options?.MaxOutputTokens ?? _options.DefaultMaxOutputTokens;
        var generation = new GenerationOptions
        {
            MaxNewTokens = maxTokens,
            Temperature = options?.Temperature ?? 0f,
            TopP = options?.TopP ?? 1f,
            Seed = options?.Seed,
            StopTokenIds = _tokenizer.StopTokenIds,
        };
        var stops = _template.StopSequences.Concat(options?.StopSequences ?? []).Where(s => s.Length > 0).ToList();
        var modelId = options?.ModelId ?? _options.ModelId;
        var responseId = Guid.NewGuid().ToString("N");
        var messageId = Guid.NewGuid().ToString("N");
        ChatResponseUpdate Update(IList<AIContent> contents) => new()
        {
            Role = ChatRole.Assistant,
            Contents = contents,
            ModelId = modelId,
            ResponseId = responseId,
            MessageId = messageId,
            CreatedAt = DateTimeOffset.UtcNow,
        };

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var tokens = new TokenGenerator(_model, _options.KvCache).Generate(promptIds, generation, cancellationToken).GetEnumerator();
            var generated = new List<int>();
            var text = string.Empty;
            var emitted = 0;
            ChatFinishReason? finish = null;
            while (await Task.Run(tokens.MoveNext, cancellationToken).ConfigureAwait(false))
            {
                generated.Add(tokens.Current);
                text = _tokenizer.Decode(generated);
                if (FindStop(text, stops, emitted) is { } stopAt)
                {
                    text = text[..stopAt];
                    finish = ChatFinishReason.Stop;
                    break;
                }
                var safe = text.Length - HeldBack(text, stops);
                if (safe > emitted)
                {
                    yield return Update([new TextContent(text[emitted..safe])]);
                    emitted = safe;
                }
            }
            finish ??= generated.Count < maxTokens ? ChatFinishReason.Stop : ChatFinishReason.Length;
            var final = Update(text.Length > emitted ? [new TextContent(text[emitted..])] : []);
            final.FinishReason = finish;
            final.Contents.Add(new UsageContent(new UsageDetails
            {
                InputTokenCount = promptIds.Count,
                OutputTokenCount = generated.Count,
                TotalTokenCount = promptIds.Count + generated.Count,
            }));
            yield return final;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The earliest start of a stop sequence that may begin after what was already emitted, or null.</summary>
    private static int? FindStop(string text, List<string> stops, int emitted)
    {
        int? best = null;
        foreach (var stop in stops)
        {
            var from = Math.Max(0, emitted - stop.Length + 1);
            var at = text.IndexOf(stop, from, StringComparison.Ordinal);
            if (at >= 0 && (best is null || at < best))
            {
                best = at;
            }
        }
        return best;
    }

    /// <summary>How many trailing characters to hold back: an incomplete UTF-8 character, or a prefix of a stop sequence.</summary>
    private static int HeldBack(string text, List<string> stops)
    {
        var held = text.Length > 0 && text[^1] == '\uFFFD' ? 1 : 0;
        foreach (var stop in stops)
        {
            for (var n = Math.Min(stop.Length - 1, text.Length); n > held; n--)
            {
                if (text.AsSpan(text.Length - n).SequenceEqual(stop.AsSpan(0, n)))
                {
                    held = n;
                    break;
                }
            }
        }
        return held;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }
        if (serviceType == typeof(ChatClientMetadata))
        {
            return _metadata;
        }
        if (serviceType == typeof(CausalLM))
        {
            return _model;
        }
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _gate.Dispose();
        if (_options.DisposeModel)
        {
            _model.Dispose();
        }
    }
}
