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

    /// <summary>
    /// Encodes one word as it reads mid-text after <paramref name="leadingWhitespace"/> (no BOS), so that a text can be
    /// tokenized word by word with every token belonging to exactly one word (word-aligned scoring). The default encodes
    /// <c>leadingWhitespace + word</c>, right for byte-level BPE; SentencePiece tokenizers, whose dummy prefix already
    /// stands for one space, override it.
    /// </summary>
    IReadOnlyList<int> EncodeWord(string leadingWhitespace, string word) => Encode(leadingWhitespace + word, addBos: false);

    /// <summary>Decodes generated ids (no BOS) to text; incomplete UTF-8 at the end decodes to U+FFFD.</summary>
    string Decode(IReadOnlyList<int> ids);
}
