using System.Text;
using ContextPress.Tests.TestSupport;
using ContextPress.Text;

namespace ContextPress.Tests.Text;

public class WordSplitterTests
{
    private static List<string> Cores(string text)
    {
        var words = new List<WordSpan>();
        WordSplitter.Split(text, words);
        return words.Select(w => w.Core(text).ToString()).ToList();
    }

    [Theory]
    [InlineData("code UM3OG5 now", "UM3OG5")]
    [InlineData("use call_4f2 next", "call_4f2")]
    [InlineData("mail ann.lee@example.com today", "ann.lee@example.com")]
    [InlineData("on 2024-01-05 at 12:30", "2024-01-05")]
    [InlineData("on 2024-01-05 at 12:30", "12:30")]
    [InlineData("paid $1,234.50 total", "$1,234.50")]
    [InlineData("grew 12% more", "12%")]
    [InlineData("id 3f2504e0-4f89-11d3-9a0c-0305e82c3301 ok", "3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    [InlineData("see https://example.com/a/b?x=1&y=2. Then", "https://example.com/a/b?x=1&y=2")]
    [InlineData("ticket #4521 opened", "#4521")]
    [InlineData("state-of-the-art model", "state-of-the-art")]
    [InlineData("temperature -12.5 degrees", "-12.5")]
    public void Identifiers_AreSingleWords(string text, string identifier)
    {
        Assert.Contains(identifier, Cores(text));
    }

    [Fact]
    public void Punctuation_IsSeparatedFromWords()
    {
        Assert.Equal(["Hello", ",", "world", "!"], Cores("Hello, world!"));
        Assert.Equal(["{\"", "id", "\":\"", "UM3OG5", "\"}"], Cores("{\"id\":\"UM3OG5\"}"));
    }

    [Fact]
    public void Words_CoverTheTextExactly()
    {
        string text = SampleTexts.AgentProse + "\n" + SampleTexts.MixedScripts + "  \n";
        var words = new List<WordSpan>();
        WordSplitter.Split(text, words);
        var rebuilt = new StringBuilder();
        int position = 0;
        foreach (WordSpan word in words)
        {
            Assert.Equal(position, word.Start);
            Assert.True(word.CoreStart > word.Start || word.Start == 0 || !char.IsWhiteSpace(text[word.Start]));
            Assert.True(word.CoreLength > 0);
            rebuilt.Append(word.Slice(text));
            position = word.End;
        }

        rebuilt.Append(text.AsSpan(position));
        Assert.Equal(text, rebuilt.ToString());
        Assert.True(string.IsNullOrWhiteSpace(text[position..]));
    }

    [Fact]
    public void SurrogatePairs_AreNeverSplit_AndCjkIsOneCharacterPerWord()
    {
        string text = SampleTexts.MixedScripts;
        var words = new List<WordSpan>();
        WordSplitter.Split(text, words);
        foreach (WordSpan word in words)
        {
            Assert.False(char.IsLowSurrogate(text[word.CoreStart]), $"word at {word.CoreStart} starts inside a surrogate pair");
            Assert.False(char.IsHighSurrogate(text[word.End - 1]), $"word ending at {word.End} ends inside a surrogate pair");
        }

        List<string> cores = Cores("订单已退款");
        Assert.Equal(["订", "单", "已", "退", "款"], cores);
    }

    [Fact]
    public void Traits_DescribeTheWords()
    {
        string text = "Yesterday Ann paid UM3OG5 with https://x.io and 42 apples.\nNext";
        var words = new List<WordSpan>();
        WordSplitter.Split(text, words);
        WordSpan Find(string core) => words.Single(w => w.Core(text).SequenceEqual(core));
        Assert.True(Find("Yesterday").Traits.HasFlag(WordTraits.SentenceStart));
        Assert.True(Find("Ann").Traits.HasFlag(WordTraits.Capitalized));
        Assert.False(Find("Ann").Traits.HasFlag(WordTraits.SentenceStart));
        Assert.True(Find("UM3OG5").Traits.HasFlag(WordTraits.InnerUpper | WordTraits.Digit));
        Assert.True(Find("https://x.io").Traits.HasFlag(WordTraits.Url));
        Assert.True(Find("42").Traits.HasFlag(WordTraits.Digit));
        Assert.True(Find(".").Traits.HasFlag(WordTraits.Punctuation));
        Assert.True(Find("Next").Traits.HasFlag(WordTraits.LineStart | WordTraits.SentenceStart));
    }

    [Fact]
    public void ReferenceSplitter_FollowsTheXlmRobertaWordRule()
    {
        string text = "Hello, world (test) U.S.\nend";
        var words = new List<WordSpan>();
        ReferenceWordSplitter.Instance.Split(text, ["\n"], words);
        string[] rendered = words.Select(w => (w.CoreStart > w.Start ? "▁" : string.Empty) + w.Core(text).ToString()).ToArray();
        Assert.Equal(["Hello", ",", "▁world", "▁(test", ")", "▁U", ".S", ".", "\n", "end"], rendered);
        Assert.True(words[8].Traits.HasFlag(WordTraits.Forced));
    }
}
