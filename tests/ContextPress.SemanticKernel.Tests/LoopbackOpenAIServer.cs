using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContextPress.Context;
using Microsoft.Extensions.AI;

namespace ContextPress.SemanticKernel.Tests;

/// <summary>
/// An OpenAI-compatible chat-completions endpoint on loopback, answering with a scripted <see cref="IChatClient"/>:
/// lets SK's native OpenAI connector run its own request/response path in tests. Records every request body.
/// </summary>
internal sealed class LoopbackOpenAIServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly IChatClient _model;
    private readonly Task _loop;

    public LoopbackOpenAIServer(IChatClient model)
    {
        _model = model;
        int port = FreePort();
        Endpoint = new Uri($"http://127.0.0.1:{port}/v1/");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public Uri Endpoint { get; }

    public List<JsonObject> Requests { get; } = [];

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (HttpListenerException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        _listener.Close();
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            JsonObject request = JsonNode.Parse(await reader.ReadToEndAsync())!.AsObject();
            lock (Requests)
            {
                Requests.Add(request);
            }

            byte[] body = Encoding.UTF8.GetBytes(await AnswerAsync(request));
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = body.Length;
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }

    private async Task<string> AnswerAsync(JsonObject request)
    {
        IList<ChatMessage> messages = ChatMessageAdapter.ToChatMessages(OpenAIChatFormat.Parse(request["messages"]!.ToJsonString()));
        var options = new ChatOptions
        {
            Tools = [.. (request["tools"]?.AsArray() ?? []).Select(t => (AITool)AIFunctionFactory.CreateDeclaration(
                t!["function"]!["name"]!.GetValue<string>(), null, JsonSerializer.SerializeToElement(t["function"]!["parameters"])))],
        };
        ChatMessage reply = (await _model.GetResponseAsync(messages, options)).Messages[^1];

        JsonArray toolCalls = [];
        foreach (FunctionCallContent call in reply.Contents.OfType<FunctionCallContent>())
        {
            toolCalls.Add(new JsonObject
            {
                ["id"] = call.CallId,
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = JsonSerializer.Serialize(call.Arguments) },
            });
        }

        var message = new JsonObject { ["role"] = "assistant", ["content"] = toolCalls.Count > 0 ? null : reply.Text };
        if (toolCalls.Count > 0)
        {
            message["tool_calls"] = toolCalls;
        }

        return new JsonObject
        {
            ["id"] = "chatcmpl-loopback",
            ["object"] = "chat.completion",
            ["created"] = 1_764_000_000,
            ["model"] = "scripted",
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["finish_reason"] = toolCalls.Count > 0 ? "tool_calls" : "stop" }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 1, ["completion_tokens"] = 1, ["total_tokens"] = 2 },
        }.ToJsonString();
    }
}
