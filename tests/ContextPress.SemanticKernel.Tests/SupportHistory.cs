using ContextPress.Samples;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace ContextPress.SemanticKernel.Tests;

/// <summary>A Semantic Kernel chat history of the support task after its first four tool steps, with real backend results.</summary>
internal static class SupportHistory
{
    public static (ChatHistory History, string Token, string PaymentId) Create()
    {
        var desk = new SupportDesk();
        var history = new ChatHistory(SupportTask.SystemPrompt);
        history.AddUserMessage(SupportTask.Request);

        string login = desk.Login(SupportDesk.AgentUser, SupportDesk.AgentPassword);
        string token = System.Text.RegularExpressions.Regex.Match(login, "tok-[0-9-]+").Value;
        AddStep(history, "call_1", "Login", new() { ["username"] = SupportDesk.AgentUser, ["password"] = SupportDesk.AgentPassword }, login);
        AddStep(history, "call_2", "SearchOrders", new() { ["accessToken"] = token, ["customerEmail"] = SupportDesk.CustomerEmail }, desk.SearchOrders(token, SupportDesk.CustomerEmail));
        history.AddAssistantMessage("The damaged order is in the list; I will open it.");
        string order = desk.GetOrder(token, SupportDesk.DamagedOrderId);
        AddStep(history, "call_3", "GetOrder", new() { ["accessToken"] = token, ["orderId"] = SupportDesk.DamagedOrderId }, order);
        string paymentId = System.Text.RegularExpressions.Regex.Match(order, "PAY-[0-9A-F]+").Value;
        return (history, token, paymentId);
    }

    public static void AddStep(ChatHistory history, string callId, string function, KernelArguments arguments, string result)
    {
        history.Add(new ChatMessageContent(AuthorRole.Assistant, [new FunctionCallContent(function, "Crm", callId, arguments)]));
        history.Add(new ChatMessageContent(AuthorRole.Tool, [new FunctionResultContent(function, "Crm", callId, result)]));
    }

    /// <summary>Every function result follows a call with its id, and every call has its result.</summary>
    public static void AssertPairsIntact(IEnumerable<ChatMessageContent> messages)
    {
        HashSet<string> calls = [];
        HashSet<string> results = [];
        foreach (ChatMessageContent message in messages)
        {
            foreach (FunctionCallContent call in message.Items.OfType<FunctionCallContent>())
            {
                calls.Add(call.Id!);
            }

            foreach (FunctionResultContent result in message.Items.OfType<FunctionResultContent>())
            {
                Assert.Contains(result.CallId!, calls);
                results.Add(result.CallId!);
            }
        }

        Assert.Equal(calls.Order(), results.Order());
    }
}
