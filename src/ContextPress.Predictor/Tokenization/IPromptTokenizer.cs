namespace ContextPress.Predictor.Tokenization;

/// <summary>Text to token ids and back, as a <see cref="CausalLM"/>'s checkpoint defines them.</summary>
public interface IPromptTokenizer
{
    /// <summary>Beginning-of-sequence id, or null when the model uses none.</summary>
    int? BosTokenId { get; }

    /// <summary>Ids that end a turn (EOS, end-of-turn markers).</summary>
    IReadOnlyCollection<int> StopTokenIds { get; }

    /// <summary>Encodes <paramref name="text"/>, prefixed with BOS when <paramref name="addBos"/> and the model has one.</summary>
    IReadOnlyList<int> Encode(string text, bool addBos);

    /// <summary>Decodes generated ids (no BOS) to text; incomplete UTF-8 at the end decodes to U+FFFD.</summary>
    string Decode(IReadOnlyList<int> ids);
}
