using Microsoft.Extensions.AI;

namespace ContextPress.Predictor.Chat;

/// <summary>Renders a conversation as the prompt text a model was trained on, ending where the assistant's reply begins.</summary>
public interface IChatTemplate
{
    /// <summary>Whether the tokenizer should prefix BOS to the rendered prompt (false when the template writes it).</summary>
    bool AddBos { get; }

    /// <summary>Text sequences that end the assistant's turn, besides the tokenizer's stop ids.</summary>
    IReadOnlyList<string> StopSequences { get; }

    /// <summary>The prompt for <paramref name="messages"/>.</summary>
    string Render(IEnumerable<ChatMessage> messages);
}

/// <summary>No template: the messages' texts, concatenated (for base models, e.g. story continuation).</summary>
public sealed class RawTextChatTemplate : IChatTemplate
{
    /// <inheritdoc />
    public bool AddBos => true;

    /// <inheritdoc />
    public IReadOnlyList<string> StopSequences => [];

    /// <inheritdoc />
    public string Render(IEnumerable<ChatMessage> messages) => string.Concat(messages.Select(m => m.Text));
}

/// <summary>ChatML, as Qwen2/2.5 and SmolLM2 use: <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c> per message.</summary>
public sealed class ChatMLTemplate(string? defaultSystemPrompt = null) : IChatTemplate
{
    /// <inheritdoc />
    public bool AddBos => false;

    /// <inheritdoc />
    public IReadOnlyList<string> StopSequences => ["<|im_end|>"];

    /// <inheritdoc />
    public string Render(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages.ToList();
        var text = new System.Text.StringBuilder();
        if (defaultSystemPrompt is not null && (list.Count == 0 || list[0].Role != ChatRole.System))
        {
            text.Append("<|im_start|>system\n").Append(defaultSystemPrompt).Append("<|im_end|>\n");
        }
        foreach (var m in list)
        {
            text.Append("<|im_start|>").Append(m.Role.Value).Append('\n').Append(m.Text).Append("<|im_end|>\n");
        }
        return text.Append("<|im_start|>assistant\n").ToString();
    }
}

/// <summary>Llama 3's header template: <c>&lt;|begin_of_text|&gt;</c>, then <c>&lt;|start_header_id|&gt;role&lt;|end_header_id|&gt;\n\ncontent&lt;|eot_id|&gt;</c>.</summary>
public sealed class Llama3ChatTemplate : IChatTemplate
{
    /// <inheritdoc />
    public bool AddBos => false;

    /// <inheritdoc />
    public IReadOnlyList<string> StopSequences => ["<|eot_id|>"];

    /// <inheritdoc />
    public string Render(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var text = new System.Text.StringBuilder("<|begin_of_text|>");
        foreach (var m in messages)
        {
            text.Append("<|start_header_id|>").Append(m.Role.Value).Append("<|end_header_id|>\n\n").Append(m.Text.Trim()).Append("<|eot_id|>");
        }
        return text.Append("<|start_header_id|>assistant<|end_header_id|>\n\n").ToString();
    }
}
