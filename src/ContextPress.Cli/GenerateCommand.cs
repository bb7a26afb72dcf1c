using System.CommandLine;
using ContextPress.Predictor;
using ContextPress.Predictor.Chat;
using Microsoft.Extensions.AI;

namespace ContextPress.Cli;

/// <summary><c>contextpress generate</c>: continues a prompt with a local model, streaming the text to stdout.</summary>
internal sealed class GenerateCommand
{
    private readonly CliStreams _streams;
    private readonly PredictorOptions _predictor = new();

    private readonly Option<string> _prompt = new("--prompt", "-p")
    {
        Description = "The text to continue. Default: empty (the model starts from BOS).",
        HelpName = "TEXT",
        DefaultValueFactory = _ => "",
    };

    private GenerateCommand(CliStreams streams)
    {
        _streams = streams;
    }

    /// <summary>Creates the command, bound to <paramref name="streams"/>.</summary>
    public static Command Create(CliStreams streams)
    {
        var handler = new GenerateCommand(streams);
        var command = new Command("generate", "Continue a prompt with a local Llama-family model (greedy by default); prints the prompt and its continuation.")
        {
            handler._prompt,
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
        var prompt = parseResult.GetValue(_prompt) ?? "";
        var model = _predictor.Load(parseResult);
        using (model.Model)
        {
            await _streams.Stdout.WriteAsync(prompt.AsMemory(), cancellationToken).ConfigureAwait(false);
            using var client = PredictorOptions.CreateClient(model, new RawTextChatTemplate(), kvCache);
            await WriteReplyAsync(client, [new ChatMessage(ChatRole.User, prompt)], options, _streams.Stdout, trimLeadingSpace: prompt.Length == 0, cancellationToken).ConfigureAwait(false);
            await _streams.Stdout.WriteLineAsync().ConfigureAwait(false);
        }
        return ContextPressCli.ExitOk;
    }

    /// <summary>
    /// Streams a reply to <paramref name="output"/> and returns its full text. With <paramref name="trimLeadingSpace"/>,
    /// a space the first piece carries is not printed (SentencePiece's word marker, as llama2.c prints text after BOS).
    /// </summary>
    internal static async Task<string> WriteReplyAsync(IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions options, TextWriter output, bool trimLeadingSpace, CancellationToken cancellationToken)
    {
        var reply = new System.Text.StringBuilder();
        await foreach (var update in client.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            var text = update.Text;
            var first = reply.Length == 0;
            reply.Append(text);
            if (first && trimLeadingSpace && text.StartsWith(' '))
            {
                text = text[1..];
            }
            await output.WriteAsync(text.AsMemory(), cancellationToken).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        return reply.ToString();
    }
}
