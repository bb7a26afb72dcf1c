using System.Text;
using System.Text.RegularExpressions;
using ContextPress.Observations;

namespace ContextPress.Prompts;

/// <summary>
/// Compresses the marked sections of a rendered prompt (retrieved documents in <c>&lt;context&gt;…&lt;/context&gt;</c>,
/// say) and leaves everything else, including the tags themselves, byte for byte as it was.
/// </summary>
/// <remarks>
/// Sections are compressed like tool results (<see cref="ObservationCompressor"/>): JSON keeps its structure, prose is
/// token-compressed, and values the rest of the prompt names (ids, amounts, e-mails) are kept. Sections do not nest;
/// an unclosed tag is left alone. Thread-safe.
/// </remarks>
public sealed class PromptSectionCompressor
{
    private const int MaxQuestionChars = 2_000;

    private readonly Dictionary<string, Regex> _patterns = new(StringComparer.Ordinal);
    private readonly Lock _patternsLock = new();

    /// <summary>Initializes a new instance of the <see cref="PromptSectionCompressor"/> class.</summary>
    /// <param name="observationCompressor">Compresses each section's content.</param>
    public PromptSectionCompressor(ObservationCompressor observationCompressor)
    {
        ArgumentNullException.ThrowIfNull(observationCompressor);
        ObservationCompressor = observationCompressor;
    }

    /// <summary>Gets the compressor of section contents.</summary>
    public ObservationCompressor ObservationCompressor { get; }

    /// <summary>Compresses the sections of <paramref name="prompt"/> that <paramref name="options"/> marks.</summary>
    /// <param name="prompt">The rendered prompt.</param>
    /// <param name="options">Tags, threshold and ratio; <see cref="PromptSectionOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels the compression.</param>
    /// <returns>The prompt with its sections compressed, and counts.</returns>
    public async ValueTask<PromptSectionCompressionResult> CompressAsync(string prompt, PromptSectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        options ??= PromptSectionOptions.Default;
        options.Validate();

        MatchCollection matches = PatternFor(options.Tags).Matches(prompt);
        if (matches.Count == 0)
        {
            return new PromptSectionCompressionResult { Prompt = prompt, Sections = 0, SectionsCompressed = 0, TokensBefore = 0, TokensAfter = 0 };
        }

        string? question = options.UsePromptAsQuestion ? Outside(prompt, matches) : null;
        var sectionOptions = new ObservationCompressionOptions { ThresholdTokens = options.ThresholdTokens, TargetRatio = options.TargetRatio };
        var context = new ObservationContext(Request: question);

        StringBuilder output = new(prompt.Length);
        int position = 0, compressed = 0, before = 0, after = 0;
        foreach (Match match in matches)
        {
            Group content = match.Groups["content"];
            ObservationCompressionResult section = await ObservationCompressor
                .CompressAsync(content.Value, sectionOptions, context, "prompt_section", cancellationToken)
                .ConfigureAwait(false);
            before += section.TokensBefore;
            after += section.TokensAfter;
            if (section.Compressed)
            {
                compressed++;
            }

            output.Append(prompt, position, content.Index - position).Append(section.Text);
            position = content.Index + content.Length;
        }

        output.Append(prompt, position, prompt.Length - position);
        return new PromptSectionCompressionResult
        {
            Prompt = compressed == 0 ? prompt : output.ToString(),
            Sections = matches.Count,
            SectionsCompressed = compressed,
            TokensBefore = before,
            TokensAfter = after,
        };
    }

    private static string Outside(string prompt, MatchCollection matches)
    {
        StringBuilder outside = new();
        int position = 0;
        foreach (Match match in matches)
        {
            outside.Append(prompt, position, match.Index - position).Append(' ');
            position = match.Index + match.Length;
        }

        outside.Append(prompt, position, prompt.Length - position);
        string text = outside.ToString().Trim();

        // The question only steers scoring; the end of a prompt (the user's question) matters most.
        return text.Length <= MaxQuestionChars ? text : text[^MaxQuestionChars..];
    }

    private Regex PatternFor(IReadOnlyList<string> tags)
    {
        string key = string.Join('\n', tags);
        lock (_patternsLock)
        {
            if (!_patterns.TryGetValue(key, out Regex? pattern))
            {
                // <tag ...>content</tag>, the closing tag matching the opening one; shortest content first so sections never merge.
                string names = string.Join('|', tags.Select(Regex.Escape));
                pattern = new Regex(
                    $@"<(?<tag>{names})(?:\s[^>]*)?>(?<content>.*?)</\k<tag>\s*>",
                    RegexOptions.Singleline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
                    TimeSpan.FromSeconds(1));
                _patterns[key] = pattern;
            }

            return pattern;
        }
    }
}
