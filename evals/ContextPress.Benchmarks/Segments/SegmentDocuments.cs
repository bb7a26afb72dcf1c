using System.Text;

namespace ContextPress.Benchmarks.Segments;

/// <summary>Seeded documents for the segment-cache benchmark: prose of distinct paragraphs and JSON tool results.</summary>
internal static class SegmentDocuments
{
    private static readonly string[] s_words =
    [
        "the", "agent", "called", "payments", "tool", "with", "order", "and", "received", "a", "large", "result", "that",
        "listed", "every", "transaction", "of", "customer", "in", "March", "which", "was", "then", "summarized", "for",
        "refund", "because", "it", "arrived", "damaged", "warehouse", "shipment", "carrier", "tracking", "invoice", "policy",
        "support", "ticket", "escalated", "manager", "approved", "replacement", "inventory", "restocked", "delayed", "weather",
        "billing", "address", "verified", "account", "holder", "subscription", "renewal", "discount", "coupon", "expired",
        "priority", "queue", "reviewed", "note", "confirmed", "by", "e-mail", "phone", "on", "Monday", "Friday", "Lyon",
        "Porto", "Zurich", "Ann", "Lee", "Omar", "Diaz", "Sato", "Kim", "is", "not", "to", "from", "after", "before",
    ];

    /// <summary>A prose document of <paramref name="paragraphs"/> paragraphs of about <paramref name="words"/> words each.</summary>
    public static string Prose(int paragraphs, int words, int seed)
    {
        var random = new Random(seed);
        var builder = new StringBuilder();
        for (int p = 0; p < paragraphs; p++)
        {
            if (p > 0)
            {
                builder.Append("\n\n");
            }

            builder.Append("Note ").Append(seed).Append('-').Append(p).Append(": order HAT").Append(random.Next(100, 999)).Append(' ');
            for (int w = 0; w < words; w++)
            {
                builder.Append(s_words[random.Next(s_words.Length)]);
                builder.Append(w % 17 == 16 ? ". " : " ");
            }

            builder.Append("total $").Append(random.Next(10, 5000)).Append('.').Append(random.Next(10, 99)).Append('.');
        }

        return builder.ToString();
    }

    /// <summary>A JSON tool result: an array of <paramref name="count"/> records, where <paramref name="version"/> changes the first record only.</summary>
    public static string ToolResult(int count, int seed, int version)
    {
        var random = new Random(seed);
        var builder = new StringBuilder("[");
        for (int i = 0; i < count; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            builder.Append("{\"id\":\"T").Append(seed).Append('-').Append(i).Append("\",\"status\":\"")
                .Append(i == 0 ? "updated-" + version : "open").Append("\",\"amount\":").Append(random.Next(1, 900))
                .Append(",\"note\":\"");
            for (int w = 0; w < 40; w++)
            {
                builder.Append(s_words[random.Next(s_words.Length)]).Append(' ');
            }

            builder.Append("\",\"meta\":null}");
        }

        return builder.Append(']').ToString();
    }
}
