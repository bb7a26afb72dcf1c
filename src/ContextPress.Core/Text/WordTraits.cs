namespace ContextPress.Text;

/// <summary>What a word looks like; scorers use these cues without re-reading the text.</summary>
[Flags]
public enum WordTraits
{
    /// <summary>No trait.</summary>
    None = 0,

    /// <summary>The word contains a letter.</summary>
    Letter = 1 << 0,

    /// <summary>The word contains a digit.</summary>
    Digit = 1 << 1,

    /// <summary>The word starts with an upper-case letter.</summary>
    Capitalized = 1 << 2,

    /// <summary>The word has upper-case letters after its first character (e.g. <c>UM3OG5</c>, <c>camelCase</c>).</summary>
    InnerUpper = 1 << 3,

    /// <summary>The word has no letter or digit (punctuation, symbols, emoji).</summary>
    Punctuation = 1 << 4,

    /// <summary>The word joins alphanumerics with <c>_ - . @ / :</c> and the like (identifiers, e-mails, dates, amounts).</summary>
    Joined = 1 << 5,

    /// <summary>The whitespace before the word contains a line break.</summary>
    LineStart = 1 << 6,

    /// <summary>The word follows sentence-ending punctuation or starts the text.</summary>
    SentenceStart = 1 << 7,

    /// <summary>The word is a single CJK ideograph or kana (scripts written without spaces).</summary>
    Cjk = 1 << 8,

    /// <summary>The word is a URL.</summary>
    Url = 1 << 9,

    /// <summary>The word matches a force token and must be kept.</summary>
    Forced = 1 << 10,
}
