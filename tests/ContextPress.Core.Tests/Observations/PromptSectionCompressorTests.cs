using System.Text.Json;
using ContextPress.Observations;
using ContextPress.Prompts;
using ContextPress.Tests.TestSupport;

namespace ContextPress.Tests.Observations;

public class PromptSectionCompressorTests
{
    private static readonly PromptSectionCompressor s_compressor = new(ObservationCompressor.CreateDefault());

    [Fact]
    public async Task MarkedSectionsShrink_AndEverythingOutsideThemStaysByteForByte()
    {
        string head = "You answer from the documents only.\n<context source=\"kb\">";
        string middle = "</context>\nMore material:\n<CONTEXT>";
        string tail = "</CONTEXT>\nQuestion: when was the museum founded?";
        string prompt = head + SampleTexts.Prose(500) + middle + SampleTexts.Prose(400, seed: 9) + tail;

        PromptSectionCompressionResult result = await s_compressor.CompressAsync(prompt, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2, result.Sections);
        Assert.Equal(2, result.SectionsCompressed);
        Assert.StartsWith(head, result.Prompt, StringComparison.Ordinal);
        Assert.EndsWith(tail, result.Prompt, StringComparison.Ordinal);
        Assert.Contains(middle, result.Prompt, StringComparison.Ordinal);
        Assert.True(result.TokensAfter <= result.TokensBefore * 0.6, $"{result.TokensAfter} of {result.TokensBefore}");
        Assert.True(result.Prompt.Length < prompt.Length);
    }

    [Fact]
    public async Task JsonSections_StayValidJson()
    {
        string json = $"[{string.Join(',', Enumerable.Range(0, 40).Select(i => $"{{\"id\":\"DOC-{i:D4}\",\"body\":\"{SampleTexts.Prose(25, seed: i).ReplaceLineEndings(" ")}\"}}"))}]";
        string prompt = $"<docs>{json}</docs> Which document mentions rivers?";

        PromptSectionCompressionResult result = await s_compressor.CompressAsync(prompt, new PromptSectionOptions { Tags = ["docs"], ThresholdTokens = 50 }, TestContext.Current.CancellationToken);

        string inner = result.Prompt[6..result.Prompt.IndexOf("</docs>", StringComparison.Ordinal)];
        using JsonDocument document = JsonDocument.Parse(inner);
        Assert.Equal(1, result.SectionsCompressed);
    }

    [Theory]
    [InlineData("No sections at all.")]
    [InlineData("<context>short</context> stays")]
    [InlineData("<context> an unclosed section stays as it is")]
    public async Task PromptsWithNothingToCompress_AreReturnedUnchanged(string prompt)
    {
        PromptSectionCompressionResult result = await s_compressor.CompressAsync(prompt, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Same(prompt, result.Prompt);
        Assert.Equal(0, result.SectionsCompressed);
    }

    [Fact]
    public void InvalidTagNames_AreRejected()
    {
        Assert.Throws<ArgumentException>(new PromptSectionOptions { Tags = ["bad tag>"] }.Validate);
        Assert.Throws<ArgumentException>(new PromptSectionOptions { Tags = [] }.Validate);
    }
}
