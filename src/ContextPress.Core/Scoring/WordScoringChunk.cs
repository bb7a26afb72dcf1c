using ContextPress.Text;

namespace ContextPress.Scoring;

/// <summary>One chunk of a text to score: its words (as offsets into <see cref="Text"/>) and where to write their probabilities.</summary>
public sealed class WordScoringChunk
{
    /// <summary>Initializes a new instance of the <see cref="WordScoringChunk"/> class.</summary>
    /// <param name="text">The whole text the words index.</param>
    /// <param name="words">The chunk's words.</param>
    /// <param name="probabilities">Receives one keep probability per word.</param>
    /// <param name="question">An optional question or task the compressed text must serve; query-agnostic scorers ignore it.</param>
    public WordScoringChunk(string text, ReadOnlyMemory<WordSpan> words, Memory<float> probabilities, string? question = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (probabilities.Length != words.Length)
        {
            throw new ArgumentException("There must be one probability slot per word.", nameof(probabilities));
        }

        Text = text;
        Words = words;
        Probabilities = probabilities;
        Question = question;
    }

    /// <summary>Gets the whole text the words index.</summary>
    public string Text { get; }

    /// <summary>Gets the chunk's words.</summary>
    public ReadOnlyMemory<WordSpan> Words { get; }

    /// <summary>Gets the slots for the words' keep probabilities.</summary>
    public Memory<float> Probabilities { get; }

    /// <summary>Gets the optional question the compressed text must serve.</summary>
    public string? Question { get; }

    /// <summary>Gets the chunk's span of <see cref="Text"/> (from the first word's whitespace to the last word's end).</summary>
    public Range TextRange => Words.IsEmpty ? 0..0 : Words.Span[0].Start..Words.Span[^1].End;
}
