using System.Text;
using ContextPress.Tests.TestSupport;

namespace ContextPress.Tests.Segments;

/// <summary>Deterministic multi-paragraph documents and JSON tool results for segment tests.</summary>
internal static class SegmentTestDocuments
{
    /// <summary>A document of <paramref name="paragraphs"/> paragraphs of about 60 words each, all different.</summary>
    public static string Paragraphs(int paragraphs, int seed = 1)
    {
        var builder = new StringBuilder();
        for (int p = 0; p < paragraphs; p++)
        {
            if (p > 0)
            {
                builder.Append("\n\n");
            }

            builder.Append("Section ").Append(p + seed * 1000).Append(": ").Append(SampleTexts.Prose(60, seed: (seed * 7919) + p).Replace("\n", " ", StringComparison.Ordinal).TrimEnd());
        }

        return builder.ToString();
    }

    /// <summary>A pretty-printed JSON array of <paramref name="count"/> order records with prose notes.</summary>
    public static string Orders(int count)
    {
        var builder = new StringBuilder("[\n");
        for (int i = 0; i < count; i++)
        {
            builder.Append("  {\n    \"id\": \"ORD-").Append(1000 + i).Append("\",\n    \"amount\": ").Append(10 + i).Append(".5,\n    \"status\": \"shipped\",\n")
                .Append("    \"note\": \"").Append(SampleTexts.Prose(40, seed: i).Replace("\n", " ", StringComparison.Ordinal).Replace("\"", "'", StringComparison.Ordinal).TrimEnd())
                .Append("\",\n    \"coupon\": null\n  }").Append(i + 1 < count ? ",\n" : "\n");
        }

        return builder.Append(']').ToString();
    }
}
