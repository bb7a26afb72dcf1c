namespace ContextPress.Segments;

/// <summary>A document cut into segments. For <see cref="SegmentLayout.Text"/>, concatenating
/// <see cref="Prefix"/>, each segment's prefix, text and separator, and <see cref="Suffix"/> gives the document back.</summary>
public sealed class SegmentedDocument
{
    /// <summary>Gets how the segments are joined.</summary>
    public required SegmentLayout Layout { get; init; }

    /// <summary>Gets the text before the first segment (leading whitespace, or <c>[</c> / <c>{</c>).</summary>
    public required string Prefix { get; init; }

    /// <summary>Gets the segments in document order.</summary>
    public required IReadOnlyList<TextSegment> Segments { get; init; }

    /// <summary>Gets the text after the last segment's separator (<c>]</c> / <c>}</c>, or empty).</summary>
    public required string Suffix { get; init; }

    /// <summary>Gets the sum of the segments' token counts.</summary>
    public int Tokens => Segments.Sum(s => s.Tokens);

    /// <summary>Joins the segments' texts back into one document.</summary>
    /// <returns>The original text for <see cref="SegmentLayout.Text"/>; minified JSON for the JSON layouts.</returns>
    public string Assemble() => Assemble(Segments.Select(s => s.Text).ToArray());

    /// <summary>Joins replacement texts for the segments (one per segment, in order) into one document.</summary>
    /// <param name="texts">The text for each segment.</param>
    /// <returns>The assembled document.</returns>
    public string Assemble(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count != Segments.Count)
        {
            throw new ArgumentException($"Expected {Segments.Count} texts, got {texts.Count}.", nameof(texts));
        }

        int length = Prefix.Length + Suffix.Length;
        for (int i = 0; i < texts.Count; i++)
        {
            length += Segments[i].Prefix.Length + texts[i].Length + Segments[i].Separator.Length;
        }

        return string.Create(length, (this, texts), static (span, state) =>
        {
            (SegmentedDocument document, IReadOnlyList<string> texts) = state;
            int at = 0;
            Append(span, ref at, document.Prefix);
            for (int i = 0; i < texts.Count; i++)
            {
                TextSegment segment = document.Segments[i];
                Append(span, ref at, segment.Prefix);
                Append(span, ref at, texts[i]);
                Append(span, ref at, segment.Separator);
            }

            Append(span, ref at, document.Suffix);
        });
    }

    private static void Append(Span<char> span, ref int at, string value)
    {
        value.CopyTo(span[at..]);
        at += value.Length;
    }
}
