using System.Text;
using ContextPress.Predictor.Llama2c;

namespace ContextPress.Predictor.Tokenization;

/// <summary><see cref="IPromptTokenizer"/> over a llama2.c vocabulary (BOS 1, EOS 2; BOS also ends a story).</summary>
public sealed class Llama2cPromptTokenizer(Llama2cTokenizer tokenizer) : IPromptTokenizer
{
    private readonly Llama2cTokenizer _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));

    /// <inheritdoc />
    public int? BosTokenId => Llama2cTokenizer.Bos;

    /// <inheritdoc />
    public IReadOnlyCollection<int> StopTokenIds { get; } = [Llama2cTokenizer.Bos, Llama2cTokenizer.Eos];

    /// <inheritdoc />
    public IReadOnlyList<int> Encode(string text, bool addBos) =>
        addBos ? [Llama2cTokenizer.Bos, .. _tokenizer.Encode(text)] : _tokenizer.Encode(text);

    /// <inheritdoc />
    /// <remarks>SentencePiece style: the word alone, whose dummy-prefix space stands for the whitespace before it.</remarks>
    public IReadOnlyList<int> EncodeWord(string leadingWhitespace, string word) => _tokenizer.Encode(word);

    /// <inheritdoc />
    public string Decode(IReadOnlyList<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        // Generated text follows a prompt, so no piece is "the first after BOS" here.
        var bytes = new List<byte>();
        foreach (var id in ids)
        {
            bytes.AddRange(_tokenizer.DecodePiece(-1, id));
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }
}
