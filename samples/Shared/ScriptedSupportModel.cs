using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace ContextPress.Samples;

/// <summary>
/// A scripted stand-in for an LLM that works the support task step by step and, like a real model, may only use what
/// it is sent: every argument it passes is read from the messages of the current request. When a value it needs is
/// missing (compressed away), it says so instead of guessing, and the run fails.
/// </summary>
internal sealed partial class ScriptedSupportModel : IChatClient
{
    private static readonly string[] Steps = ["Login", "SearchOrders", "GetOrder", "RefundPayment", "SendEmail"];
    private int _calls;

    public List<string> MissingValues { get; } = [];

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        List<ChatMessage> history = [.. messages];
        string all = string.Join("\n", history.SelectMany(m => m.Contents).Select(TextOf));
        Dictionary<string, string> done = CompletedSteps(history);
        string? next = Steps.FirstOrDefault(s => !done.ContainsKey(s));
        ChatMessage reply = next switch
        {
            "Login" => Call(options, next, new()
            {
                ["username"] = Find(all, UserPattern(), "agent user name"),
                ["password"] = Find(all, PasswordPattern(), "agent password"),
            }),
            "SearchOrders" => Call(options, next, new()
            {
                ["accessToken"] = Find(done["Login"], TokenPattern(), "access token"),
                ["customerEmail"] = Find(LastUser(history), EmailPattern(), "customer e-mail"),
            }),
            "GetOrder" => Call(options, next, new()
            {
                ["accessToken"] = Find(done["Login"], TokenPattern(), "access token"),
                ["orderId"] = FindOrder(history, done["SearchOrders"]),
            }),
            "RefundPayment" => Call(options, next, new()
            {
                ["accessToken"] = Find(done["Login"], TokenPattern(), "access token"),
                ["paymentId"] = Find(done["GetOrder"], PaymentPattern(), "payment id"),
                ["amount"] = decimal.TryParse(Find(done["GetOrder"], TotalPattern(), "order total"), CultureInfo.InvariantCulture, out decimal total) ? total : 0m,
                ["currency"] = Find(done["GetOrder"], CurrencyPattern(), "currency"),
            }),
            "SendEmail" => Call(options, next, new()
            {
                ["accessToken"] = Find(done["Login"], TokenPattern(), "access token"),
                ["to"] = Find(LastUser(history), EmailPattern(), "customer e-mail"),
                ["subject"] = "Your refund",
                ["body"] = $"We refunded {Find(done["RefundPayment"], AmountPattern(), "refunded amount")} EUR " +
                           $"(refund {Find(done["RefundPayment"], RefundPattern(), "refund id")}) for your damaged order.",
            }),
            _ => new ChatMessage(ChatRole.Assistant, $"Done: refunded and e-mailed ({Find(done["RefundPayment"], RefundPattern(), "refund id")})."),
        };

        return Task.FromResult(new ChatResponse(reply) { ModelId = "scripted-support-model" });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ChatResponse response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (ChatResponseUpdate update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("scripted", defaultModelId: "scripted-support-model")
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }

    private static string TextOf(AIContent content) => content switch
    {
        TextContent text => text.Text,
        FunctionResultContent result => result.Result?.ToString() ?? string.Empty,
        _ => string.Empty,
    };

    private static string LastUser(List<ChatMessage> history) => history.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty;

    /// <summary>The steps with a result in the history, by step name, with the result's text.</summary>
    private static Dictionary<string, string> CompletedSteps(List<ChatMessage> history)
    {
        Dictionary<string, string> nameByCallId = new(StringComparer.Ordinal);
        Dictionary<string, string> done = new(StringComparer.Ordinal);
        foreach (AIContent content in history.SelectMany(m => m.Contents))
        {
            if (content is FunctionCallContent call)
            {
                nameByCallId[call.CallId] = call.Name;
            }
            else if (content is FunctionResultContent result && nameByCallId.TryGetValue(result.CallId, out string? name) &&
                     Steps.FirstOrDefault(s => name.EndsWith(s, StringComparison.Ordinal)) is { } step)
            {
                done[step] = result.Result?.ToString() ?? string.Empty;
            }
        }

        return done;
    }

    private string FindOrder(List<ChatMessage> history, string searchResult)
    {
        // The customer names the order; the search result must still show it (a compressor may have trimmed the list).
        string orderId = Find(LastUser(history), OrderPattern(), "order id in the request");
        if (!searchResult.Contains(orderId, StringComparison.Ordinal))
        {
            MissingValues.Add($"{orderId} in the search result");
        }

        return orderId;
    }

    private string Find(string text, Regex pattern, string what)
    {
        Match match = pattern.Match(text);
        if (!match.Success)
        {
            MissingValues.Add(what);
            return "<missing>";
        }

        return match.Groups[1].Value;
    }

    private ChatMessage Call(ChatOptions? options, string step, Dictionary<string, object?> arguments)
    {
        // Tools are advertised as "Plugin_Function" through SK's chat-client path and by their own name in plain MEAI.
        string name = options?.Tools?.Select(t => t.Name).FirstOrDefault(n => n.EndsWith(step, StringComparison.Ordinal)) ?? step;
        return new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"call_{++_calls}", name, arguments)]);
    }

    [GeneratedRegex(@"user(?:name)?[:=\s""]+([\w.+-]+@[\w.-]+)", RegexOptions.IgnoreCase)]
    private static partial Regex UserPattern();

    [GeneratedRegex(@"password[:=\s""]+([^\s"",]+)", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordPattern();

    // The token by its shape, wherever it stands: a stub may carry the value without its key.
    [GeneratedRegex(@"\b(tok-\d+-\d+)\b")]
    private static partial Regex TokenPattern();

    [GeneratedRegex(@"([\w.+-]+@example\.com)")]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"\b(ORD-\d{5})\b")]
    private static partial Regex OrderPattern();

    [GeneratedRegex(@"""payment_id"":""(PAY-[0-9A-F]+)""")]
    private static partial Regex PaymentPattern();

    [GeneratedRegex(@"""total"":(\d+(?:\.\d+)?)")]
    private static partial Regex TotalPattern();

    [GeneratedRegex(@"""currency"":""([A-Z]{3})""")]
    private static partial Regex CurrencyPattern();

    [GeneratedRegex(@"""amount"":(\d+(?:\.\d+)?)")]
    private static partial Regex AmountPattern();

    [GeneratedRegex(@"""refund_id"":""(RF-\d+)""")]
    private static partial Regex RefundPattern();
}
