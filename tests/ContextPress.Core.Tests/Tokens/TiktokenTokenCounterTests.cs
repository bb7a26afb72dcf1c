using ContextPress.Tests.TestSupport;
using ContextPress.Tokens;

namespace ContextPress.Tests.Tokens;

public class TiktokenTokenCounterTests
{
    public static TheoryData<TokenEncoding> Encodings => [TokenEncoding.O200kBase, TokenEncoding.Cl100kBase];

    [Theory]
    [MemberData(nameof(Encodings))]
    public void PiecewiseCount_EqualsTokenizerCount_OnTrickyStrings(TokenEncoding encoding)
    {
        TiktokenTokenCounter counter = TiktokenTokenCounter.Get(encoding);
        string[] samples =
        [
            SampleTexts.AgentProse,
            SampleTexts.MixedScripts,
            "{\"id\":\"UM3OG5\",\"amount\":1234.50,\"items\":[{\"sku\":\"HAT136\",\"qty\":2}],\"note\":null}",
            "it's they're I'M don't  we'll\n\n\n   spaced\t\ttabs end.\r\nwindows line",
            "12345678901234567890 1,234,567.89 $12.50 50% 3.14159e-10 0x1F3A",
            "camelCaseIdentifier snake_case_name kebab-case-name SCREAMING_CASE Mixed123Case",
            "a\u0301e\u0300 combining marks, ﬁ ligature, ＦＵＬＬ ｗｉｄｔｈ, ½ ² Ⅻ numbers",
            "end.\n\nNext paragraph!?!... (parenthetical) [bracket] <tag attr=\"v\"/> // comment /* block */",
            "<|endoftext|> special <|fim_prefix|> markers",
            string.Empty,
            " ",
            "\n",
        ];

        foreach (string sample in samples)
        {
            Assert.Equal(counter.Tokenizer.CountTokens(sample), counter.CountTokens(sample));
        }
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void PiecewiseCount_EqualsTokenizerCount_OnRandomUnicode(TokenEncoding encoding)
    {
        TiktokenTokenCounter counter = TiktokenTokenCounter.Get(encoding);
        var random = new Random(1234);
        string alphabet = "aZé中😀 \n\t.,'\"-_0129٣ــعש'sxyzÅ\u0301\u200B/{}";
        for (int i = 0; i < 2000; i++)
        {
            var chars = new char[random.Next(1, 40)];
            for (int c = 0; c < chars.Length; c++)
            {
                chars[c] = alphabet[random.Next(alphabet.Length)];
            }

            string s = new(chars);
            Assert.Equal(counter.Tokenizer.CountTokens(s), counter.CountTokens(s));
        }
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void PiecewiseCount_EqualsTokenizerCount_OnCorpus(TokenEncoding encoding)
    {
        TiktokenTokenCounter counter = TiktokenTokenCounter.Get(encoding);
        foreach (string passage in SharedData.NaturalQuestionsPassages(400))
        {
            Assert.Equal(counter.Tokenizer.CountTokens(passage), counter.CountTokens(passage));
        }
    }

    [Fact]
    public void Get_ReturnsSharedInstances_WithEncodingNames()
    {
        Assert.Same(TiktokenTokenCounter.O200k, TiktokenTokenCounter.Get(TokenEncoding.O200kBase));
        Assert.Same(TiktokenTokenCounter.Cl100k, TiktokenTokenCounter.Get(TokenEncoding.Cl100kBase));
        Assert.Equal("o200k_base", TiktokenTokenCounter.O200k.EncodingName);
        Assert.Equal("cl100k_base", TiktokenTokenCounter.Cl100k.EncodingName);
        Assert.Throws<ArgumentOutOfRangeException>(() => TiktokenTokenCounter.Get((TokenEncoding)99));
    }

    [Fact]
    public void Encodings_CountDifferently()
    {
        // o200k has a larger vocabulary for non-English text; the two must not be confused.
        string text = SampleTexts.MixedScripts;
        Assert.NotEqual(TiktokenTokenCounter.O200k.CountTokens(text), TiktokenTokenCounter.Cl100k.CountTokens(text));
    }

    [Fact]
    public async Task CountTokens_IsThreadSafe()
    {
        TiktokenTokenCounter counter = TiktokenTokenCounter.O200k;
        string[] texts = Enumerable.Range(0, 64).Select(i => SampleTexts.Prose(300, seed: i)).ToArray();
        int[] expected = texts.Select(t => counter.Tokenizer.CountTokens(t)).ToArray();
        int[][] results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => texts.Select(t => counter.CountTokens(t)).ToArray())));
        foreach (int[] result in results)
        {
            Assert.Equal(expected, result);
        }
    }
}
