using ContextPress.Classifier;
using ContextPress.Text;

namespace ContextPress.Classifier.Tests;

public sealed class BertWordSegmenterTests
{
    private const string MbertVocab = "/work/shared/models/mbert-cased-vocab/vocab.txt";

    private static List<WordSpan> Split(string text, params string[] force)
    {
        var words = new List<WordSpan>();
        BertWordSegmenter.Instance.Split(text, force, words);
        return words;
    }

    [Fact]
    public void SplitsLikeBertPreTokenizationAndIsolatesForceTokens()
    {
        const string text = "Pay  $12.50 for 中文 UM3OG5! €5 ok\n";
        var words = Split(text, "UM3OG5", "\n");
        Assert.Equal(["Pay", "$", "12", ".", "50", "for", "中", "文", "UM3OG5", "!", "€5", "ok", "\n"], words.Select(w => w.Core(text).ToString()));
        Assert.Equal(WordTraits.Forced, words[8].Traits & WordTraits.Forced);
        Assert.Equal(WordTraits.Forced, words[12].Traits & WordTraits.Forced);
        Assert.Equal(0, words.Count(w => (w.Traits & WordTraits.Forced) != 0 && w.Core(text) is not ("UM3OG5" or "\n")));
        Assert.Equal("  $", words[1].Slice(text).ToString()); // the leading whitespace belongs to the word after it
        Assert.Equal(WordTraits.Punctuation, words[1].Traits);
        Assert.Equal(WordTraits.Cjk, words[6].Traits & WordTraits.Cjk);
        Assert.Equal(text.Length, words[^1].End);
        // Words tile the text: each starts where the previous ended.
        for (int w = 1; w < words.Count; w++)
        {
            Assert.Equal(words[w - 1].End, words[w].Start);
        }
    }

    [Fact]
    public void CharactersTheReferenceDeletesStartNoWord()
    {
        const string text = "a \u200B b\u200Dc\u0000";
        Assert.Equal(["a", "b\u200Dc\u0000"], Split(text).Select(w => w.Core(text).ToString()));
        Assert.Empty(Split("\u200B\uFEFF "));
    }

    [Fact]
    public void WordsAreTheReferenceNewWordPiecesOnTheRealVocab()
    {
        Assert.SkipWhen(!File.Exists(MbertVocab), $"{MbertVocab} is absent");
        var vocabulary = WordPieceVocabulary.Load(MbertVocab);
        const string text = "Die Rechnung UM3OG5 kostet $12.50 (inkl. MwSt.) — siehe https://example.com/a?b=c. 我是学生。Ça va? naïve café 😀 Hel\u200Dlo \uFEFF done";
        // The reference starts a word at each piece that does not begin with "##" (no force tokens here).
        var pieces = vocabulary.Tokenize(text);
        var expected = new List<string>();
        foreach (var piece in pieces)
        {
            if (piece.IsContinuation)
            {
                expected[^1] += piece.Piece[2..];
            }
            else
            {
                expected.Add(piece.Piece);
            }
        }
        var words = Split(text);
        Assert.Equal(expected.Count, words.Count);
        for (int w = 0; w < words.Count; w++)
        {
            // [UNK] words cannot be compared by text; every other word must spell the same.
            if (expected[w] != "[UNK]")
            {
                string core = string.Concat(words[w].Core(text).ToString().EnumerateRunes().Where(r => !WordPieceVocabulary.IsRemovedByCleaning(r)));
                Assert.Equal(expected[w], core);
            }
        }
    }
}
