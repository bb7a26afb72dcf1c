using System.Text.Json;
using ContextPress.Compression.Json;

namespace ContextPress.Tests.Compression.Json;

public class JsonElementTextTests
{
    private const string Document = """
        {"orders":[{"id":"ORD-1","note":"Hat, damaged","total":12.5,"tags":["gift","Rush"]},{"id":"ORD-2","note":"","items":[]},{"Status":"open"}],"empty":{}}
        """;

    /// <summary>Terms are matched inside one key, string or number each, never across two of them.</summary>
    [Theory]
    [InlineData(new[] { "hat", "rush", "status", "12.5", "missing" }, "OrdinalIgnoreCase", false)]
    [InlineData(new[] { "hat", "Hat", "ORD-", "gift" }, "Ordinal", false)]
    [InlineData(new[] { "damagedgift", "ORD-1ORD", "giftRush", "12.5gift" }, "OrdinalIgnoreCase", false)]
    [InlineData(new[] { "missing", "open", "hat" }, "OrdinalIgnoreCase", true)]
    [InlineData(new[] { "", "x" }, "Ordinal", false)]
    public void CountMatches_CountsDistinctTermsFoundInSomePiece(string[] terms, string comparisonName, bool stopAtFirst)
    {
        var comparison = Enum.Parse<StringComparison>(comparisonName);
        using var document = JsonDocument.Parse(Document);
        foreach (JsonElement element in Elements(document.RootElement))
        {
            List<string> pieces = [];
            Pieces(element, pieces);
            int expected = terms.Count(t => pieces.Any(p => p.Contains(t, comparison)));
            Assert.Equal(stopAtFirst ? Math.Min(1, expected) : expected, JsonElementText.CountMatches(element, terms, comparison, stopAtFirst));
        }
    }

    private static IEnumerable<JsonElement> Elements(JsonElement element)
    {
        yield return element;
        IEnumerable<JsonElement> children = element.ValueKind switch
        {
            JsonValueKind.Object => element.EnumerateObject().Select(p => p.Value),
            JsonValueKind.Array => element.EnumerateArray(),
            _ => [],
        };
        foreach (JsonElement child in children.ToList())
        {
            foreach (JsonElement descendant in Elements(child))
            {
                yield return descendant;
            }
        }
    }

    private static void Pieces(JsonElement element, List<string> pieces)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    pieces.Add(property.Name);
                    Pieces(property.Value, pieces);
                }

                break;
            case JsonValueKind.Array:
                foreach (JsonElement item in element.EnumerateArray())
                {
                    Pieces(item, pieces);
                }

                break;
            case JsonValueKind.String:
                pieces.Add(element.GetString()!);
                break;
            case JsonValueKind.Number:
                pieces.Add(element.GetRawText());
                break;
        }
    }
}
