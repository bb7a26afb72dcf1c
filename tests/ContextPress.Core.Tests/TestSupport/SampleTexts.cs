using System.Text;

namespace ContextPress.Tests.TestSupport;

/// <summary>Texts the tests share: agent-like prose with identifiers, and mixed-script strings.</summary>
internal static class SampleTexts
{
    public const string AgentProse =
        "Item 15 of order HAT136 for customer Ann Lee (ann.lee@example.com) was refunded $1,234.50 on 2024-01-05.\n" +
        "The refund was processed by the payments team because the package arrived damaged, and the customer asked " +
        "politely for the money to be returned to the original card ending in 4242. Is the refund complete?\n\n" +
        "Please confirm the refund with confirmation code UM3OG5 and call_4f2 tool. See https://example.com/orders/HAT136?x=1 for details. " +
        "The support agent then wrote a long note about the conversation, which was friendly and rather uneventful, " +
        "and about how the weather had been very nice during the whole week, which is not relevant to anything at all?";

    public const string MixedScripts =
        "订单 HAT136 已于 2024年1月5日 退款。客户很满意 😀👍🏽 and said «merci beaucoup» — " +
        "العميل راضٍ جدًا عن الخدمة 🎉 שלום עולם. Über-größe Straße. 𝐁𝐨𝐥𝐝 math 𝟙𝟚𝟛. Ελληνικά κείμενα εδώ.";

    /// <summary>Deterministic prose of about <paramref name="words"/> words built from a seeded generator.</summary>
    public static string Prose(int words, int seed = 7)
    {
        string[] vocabulary =
        [
            "the", "agent", "called", "the", "payments", "tool", "with", "order", "HAT136", "and", "received", "a", "large",
            "result", "that", "listed", "every", "transaction", "of", "customer", "Ann", "Lee", "in", "March", "2024", "which",
            "was", "then", "summarized", "for", "refund", "code", "UM3OG5", "because", "it", "arrived", "damaged", "is", "this", "right?",
        ];
        var random = new Random(seed);
        var builder = new StringBuilder(words * 7);
        for (int i = 0; i < words; i++)
        {
            builder.Append(vocabulary[random.Next(vocabulary.Length)]);
            builder.Append(i % 23 == 22 ? ".\n" : " ");
        }

        return builder.ToString();
    }
}
