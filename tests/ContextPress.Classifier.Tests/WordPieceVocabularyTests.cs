using ContextPress.Classifier;

namespace ContextPress.Classifier.Tests;

public sealed class WordPieceVocabularyTests
{
    private const string MbertVocab = "/work/shared/models/mbert-cased-vocab/vocab.txt";
    private static readonly Lazy<WordPieceVocabulary?> s_mbert = new(() => File.Exists(MbertVocab) ? WordPieceVocabulary.Load(MbertVocab) : null);

    private static WordPieceVocabulary Mbert()
    {
        Assert.SkipWhen(s_mbert.Value is null, $"{MbertVocab} is absent");
        return s_mbert.Value!;
    }

    private static string[] Pieces(WordPieceVocabulary vocabulary, string text) => vocabulary.Tokenize(text).Select(p => p.Piece).ToArray();

    [Fact]
    public void MbertSpecialIdsAreTheVocabLines()
    {
        var v = Mbert();
        Assert.Equal(0, v.PadId);
        Assert.Equal(100, v.UnkId);
        Assert.Equal(101, v.ClsId);
        Assert.Equal(102, v.SepId);
    }

    [Fact]
    public void MbertKeepsTheDollarSignAndSplitsPunctuationLikeHuggingFace()
    {
        var v = Mbert();
        // HF BasicTokenizer isolates every ASCII non-alphanumeric character; ML.NET's default regex drops "$".
        Assert.Equal(["$", "12", ".", "50"], Pieces(v, "$12.50"));
        Assert.Equal(109, v.Tokenize("$")[0].Id); // line 110 of vocab.txt
        Assert.Equal(["a", "+", "b", "=", "c"], Pieces(v, "a+b=c"));
        // Each is its own word; mBERT has no "`" piece, so that one is [UNK] (as in HF), not dropped.
        Assert.Equal(["[", "x", "]", "|", "~", "^", "[UNK]"], Pieces(v, "[x]|~^`"));
    }

    [Fact]
    public void MbertWordPiecesAnIdentifierIntoOneWord()
    {
        var v = Mbert();
        var pieces = v.Tokenize("UM3OG5");
        Assert.True(pieces.Count > 1);
        Assert.False(pieces[0].IsContinuation);
        Assert.All(pieces.Skip(1), p => Assert.True(p.IsContinuation, p.Piece));
        Assert.DoesNotContain(pieces, p => p.Id == v.UnkId);
        Assert.Equal("UM3OG5", string.Concat(pieces.Select(p => p.IsContinuation ? p.Piece[2..] : p.Piece)));
    }

    [Fact]
    public void MbertSplitsCjkPerCharacterAndMapsUnknownEmojiWordsToUnk()
    {
        var v = Mbert();
        Assert.Equal(["中", "文"], Pieces(v, "中文"));
        Assert.Equal(["我", "是", "学", "生", "。"], Pieces(v, "我是学生。"));
        // mBERT has no "😀" piece: HF maps the whole word to [UNK] (emoji is a symbol, not punctuation).
        Assert.Equal([v.UnkId], v.Tokenize("😀").Select(p => p.Id));
        Assert.Equal(["hi", "[UNK]"], Pieces(v, "hi 😀"));
        // "€" is a currency symbol (Sc), not punctuation: HF keeps it inside the word, so "5" continues it.
        Assert.Equal(["€", "##5"], Pieces(v, "€5"));
    }

    [Fact]
    public void MbertIsCasedAndCountsMatchTokenize()
    {
        var v = Mbert();
        Assert.NotEqual(Pieces(v, "Paris"), Pieces(v, "paris"));
        const string text = "The invoice UM3OG5 costs $12.50 — 中文 text, ok?";
        Assert.Equal(v.Tokenize(text).Count, v.CountTokens(text));
        Assert.DoesNotContain(v.Tokenize(text), p => p.Id == v.ClsId || p.Id == v.SepId);
    }

    [Fact]
    public void TinyVocabularyKeepsSymbolsAndUsesContinuations()
    {
        var v = TinyBert.Vocabulary;
        Assert.Equal(["$", "12", ".", "50"], Pieces(v, "$12.50"));
        Assert.Equal(["cat", "##s"], Pieces(v, "cats")); // greedy longest match
        Assert.Equal(["d", "##o", "##g", "##s"], Pieces(v, "dogs"));
        Assert.Equal(["the", "cat", "sat"], Pieces(v, " the cat  sat "));
        Assert.Empty(v.Tokenize("   "));
    }

    [Fact]
    public void MbertDropsControlAndFormatCharactersLikeHuggingFaceCleanText()
    {
        var v = Mbert();
        // HF _clean_text deletes NUL, U+FFFD and Cc/Cf characters (other than \t \n \r) before splitting.
        Assert.Equal(Pieces(v, "Hello"), Pieces(v, "Hel\u200Dlo"));
        Assert.Equal(Pieces(v, "Hello"), Pieces(v, "Hel\u0000lo"));
        Assert.Equal(Pieces(v, "Hello world"), Pieces(v, "Hello\tworld"));
        Assert.Equal(Pieces(v, "Hello world"), Pieces(v, "Hello\r\nworld"));
        Assert.Equal(["Hello", "world"], Pieces(v, "Hello\nworld"));
    }
}
