namespace ContextPress.Prompts;

/// <summary>Which sections of a rendered prompt <see cref="PromptSectionCompressor"/> compresses, and how hard.</summary>
public sealed record PromptSectionOptions
{
    /// <summary>Gets the default options: <c>&lt;context&gt;…&lt;/context&gt;</c> sections over 200 tokens, compressed to half.</summary>
    public static PromptSectionOptions Default { get; } = new();

    /// <summary>Gets the tag names that mark compressible sections, matched case-insensitively. Default <c>context</c>.</summary>
    public IReadOnlyList<string> Tags { get; init; } = ["context"];

    /// <summary>Gets the size above which a section is compressed. Default 200 tokens.</summary>
    public int ThresholdTokens { get; init; } = 200;

    /// <summary>Gets the fraction of a section's tokens to keep. Default 0.5.</summary>
    public double TargetRatio { get; init; } = 0.5;

    /// <summary>
    /// Gets a value indicating whether the prompt outside the sections (instructions, the question) steers what a
    /// section keeps. Default <see langword="true"/>.
    /// </summary>
    public bool UsePromptAsQuestion { get; init; } = true;

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Tags, nameof(Tags));
        if (Tags.Count == 0)
        {
            throw new ArgumentException("Name at least one section tag.", nameof(Tags));
        }

        foreach (string tag in Tags)
        {
            if (string.IsNullOrWhiteSpace(tag) || !tag.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or ':' or '.'))
            {
                throw new ArgumentException($"'{tag}' is not a valid tag name (letters, digits, '-', '_', ':', '.').", nameof(Tags));
            }
        }

        if (ThresholdTokens < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ThresholdTokens), ThresholdTokens, "The threshold cannot be negative.");
        }

        if (double.IsNaN(TargetRatio) || TargetRatio <= 0 || TargetRatio > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(TargetRatio), TargetRatio, "The target ratio must be in (0, 1].");
        }
    }
}
