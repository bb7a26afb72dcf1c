using ContextPress.Text;

namespace ContextPress.Tests.Text;

public class IgnoreCaseTextTests
{
    [Theory]
    [InlineData("Pay the Invoice INV-204 by Friday", "invoice", 0)]
    [InlineData("Pay the Invoice INV-204 by Friday", "INV-204", 10)]
    [InlineData("Pay the Invoice INV-204 by Friday", "friday", 0)]
    [InlineData("Pay the Invoice INV-204 by Friday", "monday", 0)]
    [InlineData("abcABCabc", "ABC", 4)]
    [InlineData("Straße in İstanbul, ÉCOLE", "école", 0)]
    [InlineData("Straße in İstanbul, ÉCOLE", "STRASSE", 0)]
    [InlineData("Straße in İstanbul, ÉCOLE", "istanbul", 0)]
    [InlineData("Straße in İstanbul, ÉCOLE", "in", 3)]
    [InlineData("plain ascii text", "straße", 0)]
    [InlineData("", "x", 0)]
    [InlineData("text", "", 2)]
    public void IndexOf_MatchesOrdinalIgnoreCase(string text, string value, int start)
    {
        using var search = new IgnoreCaseText(text);

        int expected = text.AsSpan(start).IndexOf(value, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(expected < 0 ? -1 : expected + start, search.IndexOf(value, start));
        Assert.Equal(text.Contains(value, StringComparison.OrdinalIgnoreCase), search.Contains(value));
    }

    [Fact]
    public void IndexOf_MatchesOrdinalIgnoreCase_OnRandomText()
    {
        // Letters of both cases, digits, punctuation and a few non-ASCII letters that case-map.
        const string Alphabet = "aAbBkKsS0-_ .éÉſıİ";
        var random = new Random(7);
        for (int i = 0; i < 2000; i++)
        {
            string text = RandomText(random, random.Next(0, 40));
            string value = RandomText(random, random.Next(1, 4));
            int start = random.Next(0, text.Length + 1);
            using var search = new IgnoreCaseText(text);

            int expected = text.AsSpan(start).IndexOf(value, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(expected < 0 ? -1 : expected + start, search.IndexOf(value, start));
        }

        static string RandomText(Random random, int length)
        {
            // Half the texts are pure ASCII, so both the folded search and the framework's are exercised.
            int letters = random.Next(2) == 0 ? 13 : Alphabet.Length;
            return string.Create(length, (random, letters), static (span, state) =>
            {
                for (int i = 0; i < span.Length; i++)
                {
                    span[i] = Alphabet[state.random.Next(state.letters)];
                }
            });
        }
    }
}
