using System.Globalization;
using System.Text;
using ContextPress.Text;

namespace ContextPress.Classifier;

/// <summary>
/// The LLMLingua-2 word rule for BERT-family tokenizers (mBERT, TinyBERT, MobileBERT) applied to raw text:
/// a word is one BERT pre-token, and every force-token occurrence is a word of its own.
/// </summary>
/// <remarks>
/// The reference starts a new word at every WordPiece token that does not begin with <c>##</c>, or that is a force
/// token or <c>[NEWi]</c> alias (<c>is_begin_of_new_word</c>, utils.py l.81–120; note A.6). A pre-token's first piece
/// never begins with <c>##</c> and its other pieces always do, so the reference's words are exactly Hugging Face
/// <c>BasicTokenizer</c>'s pre-tokens: runs split at whitespace, with each punctuation character (ASCII
/// non-alphanumeric or Unicode <c>P*</c>) and each CJK ideograph standing alone. Symbols such as <c>$</c> are ASCII
/// punctuation there; <c>€</c> and emoji are not, and stay inside their word. Whitespace is not part of any word;
/// characters the reference deletes first (<see cref="WordPieceVocabulary.IsRemovedByCleaning"/>) start no word.
/// </remarks>
public sealed class BertWordSegmenter : IWordSegmenter
{
    /// <summary>Gets the shared instance.</summary>
    public static BertWordSegmenter Instance { get; } = new();

    /// <inheritdoc />
    public void Split(ReadOnlySpan<char> text, IReadOnlyList<string> forceTokens, List<WordSpan> words)
    {
        ArgumentNullException.ThrowIfNull(forceTokens);
        ArgumentNullException.ThrowIfNull(words);
        int wordStart = -1; // start of the current word's leading whitespace
        int coreStart = 0;
        int whitespaceStart = 0;
        WordTraits traits = WordTraits.None;
        int i = 0;
        while (i < text.Length)
        {
            int force = WordSpanBuilding.MatchForceToken(text, i, forceTokens);
            if (force > 0)
            {
                WordSpanBuilding.Flush(words, ref wordStart, coreStart, i, traits);
                words.Add(new WordSpan(whitespaceStart, i, i + force, WordTraits.Forced | WordSpanBuilding.TraitsOf(text.Slice(i, force))));
                i += force;
                whitespaceStart = i;
                continue;
            }

            Rune.DecodeFromUtf16(text[i..], out Rune rune, out int length);
            if (Rune.IsWhiteSpace(rune))
            {
                WordSpanBuilding.Flush(words, ref wordStart, coreStart, i, traits);
                i += length;
                continue;
            }

            if (WordPieceVocabulary.IsRemovedByCleaning(rune))
            {
                // The reference deletes it: it continues a word in progress and starts none.
                if (wordStart >= 0)
                {
                    whitespaceStart = i + length;
                }
                i += length;
                continue;
            }

            if (IsPunctuation(rune) || IsCjk(rune))
            {
                WordSpanBuilding.Flush(words, ref wordStart, coreStart, i, traits);
                words.Add(new WordSpan(whitespaceStart, i, i + length, IsCjk(rune) ? WordTraits.Cjk | WordTraits.Letter : WordTraits.Punctuation));
                i += length;
                whitespaceStart = i;
                continue;
            }

            if (wordStart < 0)
            {
                wordStart = whitespaceStart;
                coreStart = i;
                traits = WordTraits.None;
            }
            traits |= WordSpanBuilding.TraitsOf(text.Slice(i, length));
            i += length;
            whitespaceStart = i;
        }

        WordSpanBuilding.Flush(words, ref wordStart, coreStart, text.Length, traits);
    }

    /// <summary>HF <c>_is_punctuation</c>: ASCII 33–47, 58–64, 91–96, 123–126, or a Unicode <c>P*</c> category.</summary>
    internal static bool IsPunctuation(Rune rune)
    {
        int cp = rune.Value;
        if (cp is (>= 33 and <= 47) or (>= 58 and <= 64) or (>= 91 and <= 96) or (>= 123 and <= 126))
        {
            return true;
        }
        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    /// <summary>HF <c>_is_chinese_char</c>: the CJK Unified Ideographs blocks and their extensions and compatibility blocks.</summary>
    internal static bool IsCjk(Rune rune) => rune.Value is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF)
        or (>= 0x20000 and <= 0x2A6DF) or (>= 0x2A700 and <= 0x2B73F) or (>= 0x2B740 and <= 0x2B81F)
        or (>= 0x2B820 and <= 0x2CEAF) or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);
}
