using System.CommandLine;
using System.Text;
using ContextPress.Predictor.Chat;
using Microsoft.Extensions.AI;

namespace ContextPress.Cli;

/// <summary><c>contextpress chat</c>: a conversation with a local model, one user message per stdin line.</summary>
internal sealed class ChatCommand
{
    private readonly CliStreams _streams;
    private readonly PredictorOptions _predictor = new();

    private readonly Option<string> _template = new("--template")
    {
        Description = "How the conversation is rendered for the model: raw (texts concatenated; base models), chatml (Qwen, SmolLM2) or llama3.",
        HelpName = "raw|chatml|llama3",
        DefaultValueFactory = _ => "raw",
    };

    private readonly Option<string> _system = new("--system")
    {
        Description = "A system message that opens the conversation.",
        HelpName = "TEXT",
    };

    private ChatCommand(CliStreams streams)
    {
        _streams = streams;
    }

    /// <summary>Creates the command, bound to <paramref name="streams"/>.</summary>
    public static Command Create(CliStreams streams)
    {
        var handler = new ChatCommand(streams);
        var command = new Command("chat", "Chat with a local model: each stdin line is a user message; each reply is written to stdout as one line. The conversation is kept until stdin ends.")
        {
            handler._template,
            handler._system,
        };
        foreach (var option in handler._predictor.All)
        {
            command.Add(option);
        }
        command.SetAction(handler.RunAsync);
        return command;
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var options = _predictor.ReadChatOptions(parseResult);
        var kvCache = _predictor.ReadKvCacheOptions(parseResult);
        IChatTemplate template = (parseResult.GetValue(_template) ?? "raw").ToLowerInvariant() switch
        {
            "raw" => new RawTextChatTemplate(),
            "chatml" => new ChatMLTemplate(),
            "llama3" => new Llama3ChatTemplate(),
            var other => throw CliException.Usage($"--template must be raw, chatml or llama3, not '{other}'"),
        };
        var model = _predictor.Load(parseResult);
        using (model.Model)
        {
            using var client = PredictorOptions.CreateClient(model, template, kvCache);
            var conversation = new List<ChatMessage>();
            if (parseResult.GetValue(_system) is { Length: > 0 } system)
            {
                conversation.Add(new ChatMessage(ChatRole.System, system));
            }

            using var reader = new StreamReader(_streams.Stdin, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, leaveOpen: true);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }
                conversation.Add(new ChatMessage(ChatRole.User, line));
                var reply = await GenerateCommand.WriteReplyAsync(client, conversation, options, _streams.Stdout, trimLeadingSpace: true, cancellationToken).ConfigureAwait(false);
                await _streams.Stdout.WriteLineAsync().ConfigureAwait(false);
                conversation.Add(new ChatMessage(ChatRole.Assistant, reply));
            }
        }
        return ContextPressCli.ExitOk;
    }
}
