using System.ClientModel;
using System.Globalization;
using Microsoft.Extensions.AI;
using OpenAI;

namespace ContextPress.Samples;

/// <summary>The samples' task, model choice and report: the same support task run without and with ContextPress.</summary>
internal static class SupportTask
{
    public const string SystemPrompt =
        "You are a support agent for an outdoor shop. Use the CRM tools to act; never invent ids or amounts. " +
        $"CRM credentials: username: {SupportDesk.AgentUser} password: {SupportDesk.AgentPassword}";

    public const string Request =
        $"Customer {SupportDesk.CustomerEmail} says order {SupportDesk.DamagedOrderId} arrived damaged. " +
        "Refund the order's full total to its payment and e-mail her the refund id and amount.";

    /// <summary>Gets the model: an OpenAI-compatible endpoint when OPENAI_API_KEY is set, else the offline scripted model.</summary>
    public static (IChatClient Client, ScriptedSupportModel? Scripted, string Description) CreateModel(bool offline)
    {
        string? key = Environment.GetEnvironmentVariable("OPENAI_API_KEY");
        if (offline || string.IsNullOrEmpty(key))
        {
            var scripted = new ScriptedSupportModel();
            return (scripted, scripted, "offline scripted model (set OPENAI_API_KEY to use a real one)");
        }

        string model = Environment.GetEnvironmentVariable("OPENAI_MODEL") is { Length: > 0 } m ? m : "gpt-4o-mini";
        var clientOptions = new OpenAIClientOptions();
        if (Environment.GetEnvironmentVariable("OPENAI_BASE_URL") is { Length: > 0 } baseUrl)
        {
            clientOptions.Endpoint = new Uri(baseUrl);
        }

        IChatClient client = new OpenAIClient(new ApiKeyCredential(key), clientOptions).GetChatClient(model).AsIChatClient();
        return (client, null, $"{model} at {clientOptions.Endpoint?.ToString() ?? "api.openai.com"}");
    }

    /// <summary>Writes the per-call token table of both runs and whether each completed the task; returns the exit code.</summary>
    public static int Report(TextWriter output, Outcome baseline, Outcome compressed)
    {
        output.WriteLine();
        output.WriteLine("model call | tokens sent without ContextPress | with ContextPress");
        int calls = Math.Max(baseline.RequestTokens.Count, compressed.RequestTokens.Count);
        for (int i = 0; i < calls; i++)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{i + 1,10} | {Cell(baseline.RequestTokens, i),32} | {Cell(compressed.RequestTokens, i),16}"));
        }

        int before = baseline.RequestTokens.Sum();
        int after = compressed.RequestTokens.Sum();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"total",10} | {before,32:N0} | {after,16:N0}  ({100.0 * (before - after) / Math.Max(1, before):0.0}% fewer tokens)"));
        output.WriteLine($"task completed without ContextPress: {Verdict(baseline)}");
        output.WriteLine($"task completed with ContextPress:    {Verdict(compressed)}");
        return baseline.Completed && compressed.Completed ? 0 : 1;
    }

    /// <summary>Checks the backend's side effects: the right refund and an e-mail that names it.</summary>
    public static Outcome Check(SupportDesk desk, IReadOnlyList<int> requestTokens, ScriptedSupportModel? scripted)
    {
        bool refunded = desk.Refunds.Count == 1 && desk.Refunds[0].StartsWith(desk.ExpectedRefundPrefix(), StringComparison.Ordinal);
        string refundId = desk.Refunds.Count > 0 ? desk.Refunds[0].Split(' ')[^1] : "<none>";
        bool emailed = desk.Emails.Any(e => e.StartsWith(SupportDesk.CustomerEmail, StringComparison.Ordinal) && e.Contains(refundId, StringComparison.Ordinal));
        IReadOnlyList<string> missing = scripted?.MissingValues ?? [];
        return new Outcome([.. requestTokens], refunded && emailed && missing.Count == 0, missing);
    }

    private static string Cell(List<int> values, int index) => index < values.Count ? values[index].ToString("N0", CultureInfo.InvariantCulture) : "-";

    private static string Verdict(Outcome outcome) =>
        outcome.Completed ? "yes" : $"NO{(outcome.MissingValues.Count > 0 ? $" (missing from the context: {string.Join(", ", outcome.MissingValues)})" : string.Empty)}";

    /// <summary>One run's tokens per model call and its verdict.</summary>
    internal sealed record Outcome(List<int> RequestTokens, bool Completed, IReadOnlyList<string> MissingValues);
}
