using System.Text;
using System.Text.Json;
using ContextPress.Compression;
using ContextPress.Segments;
using ContextPress.Tests.TestSupport;
using ContextPress.Tokens;

namespace ContextPress.Tests.Segments;

public class DocumentSegmentationTests
{
    private static readonly SegmentCompressor s_compressor = new(PromptCompressor.CreateDefault());

    [Fact]
    public void Paragraphs_AreSegments_AndAssemblyGivesTheDocumentBack()
    {
        string text = "\n  First paragraph, line one.\nLine two.\n\nSecond paragraph.  \n \t\r\n\nThird one?\n\n";
        SegmentedDocument document = s_compressor.Segment(text, new SegmentCompressionOptions { Mode = SegmentationMode.Paragraph });

        Assert.Equal(SegmentLayout.Text, document.Layout);
        Assert.Equal(["First paragraph, line one.\nLine two.", "Second paragraph.", "Third one?"], document.Segments.Select(s => s.Text));
        Assert.Equal("\n  ", document.Prefix);
        Assert.Equal("\n\n", document.Segments[^1].Separator);
        Assert.Equal(text, document.Assemble());
        Assert.All(document.Segments, s => Assert.Equal(SegmentKind.Prose, s.Kind));
        Assert.Equal([0, 1, 2], document.Segments.Select(s => s.Index));
    }

    [Fact]
    public void LongParagraph_IsCutAtSentenceEnds_WithinTheTokenLimit()
    {
        string paragraph = SampleTexts.Prose(600).Replace("\n", " ", StringComparison.Ordinal);
        var options = new SegmentCompressionOptions { Mode = SegmentationMode.Paragraph, MaxSegmentTokens = 80 };
        SegmentedDocument document = s_compressor.Segment("Intro.\n\n" + paragraph + "\n\nOutro.", options);

        Assert.True(document.Segments.Count > 5, $"only {document.Segments.Count} segments");
        Assert.All(document.Segments, s => Assert.True(TiktokenTokenCounter.O200k.CountTokens(s.Text) <= 80 + 2, $"{s.Tokens} tokens: {s.Text}"));
        Assert.All(document.Segments.Skip(1).SkipLast(2), s => Assert.Matches("[.?]$", s.Text)); // cut at sentence ends only
        Assert.Equal("Intro.\n\n" + paragraph + "\n\nOutro.", document.Assemble());
    }

    [Fact]
    public void Sentences_AreSegments()
    {
        string text = "It was sold. Was it refunded? Yes!\nNext line without end\n\n订单已退款。客户满意。 \"Quoted.\" Done";
        SegmentedDocument document = s_compressor.Segment(text, new SegmentCompressionOptions { Mode = SegmentationMode.Sentence });
        Assert.Equal(
            ["It was sold.", "Was it refunded?", "Yes!", "Next line without end", "订单已退款。", "客户满意。", "\"Quoted.\"", "Done"],
            document.Segments.Select(s => s.Text));
        Assert.Equal(text, document.Assemble());
    }

    [Fact]
    public void TokenWindows_RespectTheLimit_AndCutBetweenWords()
    {
        string text = SampleTexts.Prose(1500, seed: 3);
        SegmentedDocument document = s_compressor.Segment(text, new SegmentCompressionOptions { Mode = SegmentationMode.TokenWindow, MaxSegmentTokens = 64 });
        Assert.True(document.Segments.Count >= 1500 / 64);
        Assert.All(document.Segments, s =>
        {
            Assert.True(s.Tokens <= 64 + 4, $"{s.Tokens} tokens");
            Assert.False(char.IsWhiteSpace(s.Text[0]) || char.IsWhiteSpace(s.Text[^1]));
        });
        Assert.Equal(text, document.Assemble());
    }

    [Theory]
    [InlineData(SegmentationMode.Paragraph)]
    [InlineData(SegmentationMode.Sentence)]
    [InlineData(SegmentationMode.TokenWindow)]
    public void RandomTexts_AlwaysRoundTrip(SegmentationMode mode)
    {
        string[] pieces = ["word", "Zahl 42", ".", "?", "!", " ", "  ", "\n", "\n\n", "\r\n", "\t", " \n \n", "😀", "订单。", "\"q.\" ", "x.y"];
        var random = new Random(17);
        for (int round = 0; round < 300; round++)
        {
            var builder = new StringBuilder();
            int count = random.Next(0, 60);
            for (int i = 0; i < count; i++)
            {
                builder.Append(pieces[random.Next(pieces.Length)]);
            }

            string text = builder.ToString();
            SegmentedDocument document = s_compressor.Segment(text, new SegmentCompressionOptions { Mode = mode, MaxSegmentTokens = 6 });
            Assert.Equal(text, document.Assemble());
            Assert.All(document.Segments, s => Assert.False(string.IsNullOrWhiteSpace(s.Text), $"blank segment in {JsonSerializer.Serialize(text)}"));
        }
    }

    [Fact]
    public void JsonArray_ElementsAreMinifiedSegments()
    {
        string json = """
            [
              { "id": "A1", "note": null, "tags": [ 1, 2 ] },
              "plain",
              42
            ]
            """;
        SegmentedDocument document = s_compressor.Segment(json);
        Assert.Equal(SegmentLayout.JsonArray, document.Layout);
        Assert.Equal(["""{"id":"A1","note":null,"tags":[1,2]}""", "\"plain\"", "42"], document.Segments.Select(s => s.Text));
        Assert.All(document.Segments, s => Assert.Equal(SegmentKind.Json, s.Kind));
        Assert.Equal("""[{"id":"A1","note":null,"tags":[1,2]},"plain",42]""", document.Assemble());
    }

    [Fact]
    public void JsonObject_PropertiesAreSegments_WithTheirNamesAsPrefixes()
    {
        string json = """{ "orders": [ {"id": 1} ], "customer": { "name": "Ann \"Lee\"", "city": "Zürich" }, "n": 3 }""";
        SegmentedDocument document = s_compressor.Segment(json, new SegmentCompressionOptions { Mode = SegmentationMode.JsonElement });
        Assert.Equal(SegmentLayout.JsonObject, document.Layout);
        Assert.Equal(["\"orders\":", "\"customer\":", "\"n\":"], document.Segments.Select(s => s.Prefix));
        string assembled = document.Assemble();
        Assert.Equal("""{"orders":[{"id":1}],"customer":{"name":"Ann \"Lee\"","city":"Zürich"},"n":3}""", assembled);
        using JsonDocument parsed = JsonDocument.Parse(assembled);
        Assert.Equal("Ann \"Lee\"", parsed.RootElement.GetProperty("customer").GetProperty("name").GetString());
    }

    [Fact]
    public void JsonElementMode_RejectsNonJson_AndAutoFallsBackToParagraphs()
    {
        Assert.Throws<FormatException>(() => s_compressor.Segment("not json", new SegmentCompressionOptions { Mode = SegmentationMode.JsonElement }));
        Assert.Throws<FormatException>(() => s_compressor.Segment("\"a string\"", new SegmentCompressionOptions { Mode = SegmentationMode.JsonElement }));
        Assert.Equal(SegmentLayout.Text, s_compressor.Segment("[not json] at all").Layout);
    }

    [Fact]
    public void EmptyAndWhitespaceDocuments_HaveNoSegments()
    {
        Assert.Empty(s_compressor.Segment(string.Empty).Segments);
        SegmentedDocument blank = s_compressor.Segment(" \n\n ");
        Assert.Empty(blank.Segments);
        Assert.Equal(" \n\n ", blank.Assemble());
        Assert.Equal("[]", s_compressor.Segment("[ ]").Assemble());
    }
}
