using System.Text;

namespace ContextPress.Redis.Tests.TestSupport;

/// <summary>Deterministic documents for cache tests.</summary>
internal static class Documents
{
    private static readonly string[] s_vocabulary =
    [
        "the", "agent", "called", "payments", "tool", "with", "order", "HAT136", "and", "received", "a", "large", "result",
        "that", "listed", "every", "transaction", "of", "customer", "Ann", "Lee", "in", "March", "2024", "which", "was",
        "then", "summarized", "for", "refund", "code", "UM3OG5", "because", "it", "arrived", "damaged", "warehouse", "Lyon",
    ];

    /// <summary>A document of <paramref name="paragraphs"/> distinct paragraphs of about 60 words.</summary>
    public static string Paragraphs(int paragraphs, int seed = 1)
    {
        var random = new Random(seed);
        var builder = new StringBuilder();
        for (int p = 0; p < paragraphs; p++)
        {
            if (p > 0)
            {
                builder.Append("\n\n");
            }

            builder.Append("Paragraph ").Append(seed).Append('.').Append(p).Append(':');
            for (int w = 0; w < 60; w++)
            {
                builder.Append(' ').Append(s_vocabulary[random.Next(s_vocabulary.Length)]);
            }

            builder.Append('.');
        }

        return builder.ToString();
    }
}
