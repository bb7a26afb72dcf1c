using System.Globalization;
using System.Text;
using System.Text.Json;
using ContextPress.Compression;
using ContextPress.Compression.Json;
using ContextPress.Tests.TestSupport;

namespace ContextPress.Tests.Compression.Json;

/// <summary>Random documents: whatever the level, the output parses and invents or alters no key or number.</summary>
public class StructuredJsonCompressorFuzzTests
{
    private static readonly StructuredJsonCompressor s_compressor = new(PromptCompressor.CreateDefault());

    private static readonly string[] s_words =
    [
        "the", "order", "was", "shipped", "to", "Zürich", "東京", "🚀", "refund", "ORD-77", "a@b.io", "2024-05-01", "42",
        "$19.99", "quote\"d", "back\\slash", "tab\there", "new\nline", "ünïcödé", "👩‍💻", "and", "customer", "delayed",
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public async Task RandomDocuments_StayValid_AndKeepKeysAndNumbers(int seed)
    {
        var random = new Random(seed);
        var builder = new StringBuilder();
        WriteValue(builder, random, depth: 0);
        string input = builder.ToString();
        using JsonDocument original = JsonDocument.Parse(input);
        HashSet<string> keys = [];
        HashSet<string> numbers = [];
        Collect(original.RootElement, keys, numbers);

        var options = new JsonCompressionOptions { MaxArrayItems = 1 + random.Next(6), LongStringTokens = 8 + random.Next(20), ProtectedValues = ["ORD-77"] };
        for (int level = 0; level <= StructuredJsonCompressor.MaxLevel; level++)
        {
            JsonCompressionResult result = await s_compressor.CompressAtLevelAsync(input, level, options, TestContext.Current.CancellationToken);
            TextAssert.WellFormedUtf16(result.Json);
            using JsonDocument output = JsonDocument.Parse(result.Json);
            HashSet<string> outputKeys = [];
            HashSet<string> outputNumbers = [];
            int markers = Collect(output.RootElement, outputKeys, outputNumbers);
            Assert.Subset(keys, outputKeys);
            Assert.Subset(numbers, outputNumbers);
            Assert.Equal(result.ElementsRemoved, markers);
            Assert.True(result.TokensAfter <= result.TokensBefore, $"level {level}: {result.TokensAfter} > {result.TokensBefore}");
            if (level == 0)
            {
                Assert.Equal(0, result.ElementsRemoved);
                Assert.Equal(0, result.StringsCompressed);
            }
        }
    }

    private static void WriteValue(StringBuilder builder, Random random, int depth)
    {
        int kind = depth == 0 ? 4 + random.Next(3) : depth >= 4 ? random.Next(4) : random.Next(7);
        switch (kind)
        {
            case 0:
                builder.Append(random.Next(3) switch
                {
                    0 => random.Next(-1000, 100000).ToString(CultureInfo.InvariantCulture),
                    1 => (random.NextDouble() * 1000).ToString("0.00", CultureInfo.InvariantCulture),
                    _ => "1.5e" + random.Next(1, 9).ToString(CultureInfo.InvariantCulture),
                });
                break;
            case 1:
                builder.Append(random.Next(4) switch { 0 => "true", 1 => "false", 2 => "null", _ => "\"\"" });
                break;
            case 2:
            case 3:
                var text = new StringBuilder();
                int words = random.Next(3) == 0 ? 20 + random.Next(60) : 1 + random.Next(4);
                for (int w = 0; w < words; w++)
                {
                    text.Append(w == 0 ? string.Empty : " ").Append(s_words[random.Next(s_words.Length)]);
                    if (random.Next(9) == 0)
                    {
                        text.Append('.');
                    }
                }

                builder.Append(JsonSerializer.Serialize(text.ToString()));
                break;
            case 4:
            case 5:
                builder.Append('[');
                int items = depth == 0 || random.Next(4) == 0 ? 10 + random.Next(30) : random.Next(5);
                for (int i = 0; i < items; i++)
                {
                    builder.Append(i == 0 ? string.Empty : ", ");
                    WriteValue(builder, random, depth + 1);
                }

                builder.Append(']');
                break;
            default:
                builder.Append("{\n");
                int properties = depth == 0 ? 6 + random.Next(6) : random.Next(7);
                string[] names = ["id", "order_id", "name", "description", "_links", "__typename", "amount", "created_at", "tags", "meta", "customerId", "x", "東京", "emoji🚀"];
                for (int p = 0; p < properties; p++)
                {
                    builder.Append(p == 0 ? "  " : ",\n  ").Append(JsonSerializer.Serialize(names[random.Next(names.Length)] + (p > 3 ? p.ToString(CultureInfo.InvariantCulture) : string.Empty))).Append(": ");
                    WriteValue(builder, random, depth + 1);
                }

                builder.Append("\n}");
                break;
        }
    }

    /// <summary>Collects keys and number spellings; returns the total of the omission markers.</summary>
    private static int Collect(JsonElement element, HashSet<string> keys, HashSet<string> numbers)
    {
        int omitted = 0;
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    keys.Add(property.Name);
                    omitted += Collect(property.Value, keys, numbers);
                }

                break;
            case JsonValueKind.Array:
                foreach (JsonElement item in element.EnumerateArray())
                {
                    omitted += item.ValueKind == JsonValueKind.String && StructuredJsonCompressor.TryParseOmittedItemsMarker(item.GetString(), out int count)
                        ? count
                        : Collect(item, keys, numbers);
                }

                break;
            case JsonValueKind.Number:
                numbers.Add(element.GetRawText());
                break;
        }

        return omitted;
    }
}
