using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ContextPress.Tests.Compression.Json;

/// <summary>Deterministic JSON tool results for the structured compression tests.</summary>
internal static class JsonSamples
{
    private static readonly string[] s_statuses = ["pending", "paid", "shipped", "delivered", "refunded", "cancelled"];
    private static readonly string[] s_firstNames = ["Ann", "Bruno", "Chen", "Dana", "Eitan", "Fatima", "Goran", "Hana", "Ivan", "Júlia"];
    private static readonly string[] s_lastNames = ["Lee", "Silva", "Wang", "Novak", "Cohen", "Haddad", "Petrović", "Sato", "Ivanov", "Souza"];
    private static readonly string[] s_cities = ["Lisbon", "Austin", "Osaka", "Zagreb", "Haifa", "Porto", "Denver", "Kyoto"];
    private static readonly string[] s_products = ["walnut desk", "ergonomic chair", "monitor arm", "desk lamp", "cable tray", "standing mat", "bookshelf", "footrest"];
    private static readonly string[] s_sentences =
    [
        "The customer asked for the parcel to be left with the building concierge because nobody is home during working hours.",
        "Packaging should be plastic free where possible and the invoice must be sent by e-mail instead of being printed.",
        "A previous delivery arrived with a scratched corner, so the warehouse team was asked to add extra corner protection.",
        "The order was placed during the spring promotion and the discount was applied automatically at checkout.",
        "Support agreed to waive the express shipping fee after the customer reported a delay on an earlier order.",
        "Assembly instructions in Portuguese were requested, together with the spare screws that were missing last time.",
        "The buyer is a small design studio that orders furniture for new hires every few weeks and pays on account.",
        "Please call the customer thirty minutes before arrival; the loading dock closes early on Fridays.",
    ];

    /// <summary>A paginated list of <paramref name="count"/> orders with nested customers, line items, long notes, nulls and boilerplate.</summary>
    public static string Orders(int count = 200, bool indented = true)
    {
        var random = new Random(20240501);
        var data = new JsonArray();
        for (int i = 1; i <= count; i++)
        {
            string first = s_firstNames[random.Next(s_firstNames.Length)];
            string last = s_lastNames[random.Next(s_lastNames.Length)];
            var items = new JsonArray();
            int lines = 1 + random.Next(3);
            double total = 0;
            for (int l = 0; l < lines; l++)
            {
                double price = Math.Round(10 + (random.NextDouble() * 490), 2);
                int quantity = 1 + random.Next(4);
                total += price * quantity;
                items.Add(new JsonObject
                {
                    ["sku"] = $"SKU-{random.Next(1000, 9999)}",
                    ["name"] = s_products[random.Next(s_products.Length)],
                    ["quantity"] = quantity,
                    ["unit_price"] = price,
                });
            }

            var description = new StringBuilder();
            int sentences = 2 + random.Next(3);
            for (int s = 0; s < sentences; s++)
            {
                description.Append(s_sentences[random.Next(s_sentences.Length)]).Append(' ');
            }

            description.Append(CultureInfo.InvariantCulture, $"Reference ticket {1000 + i} was opened on 2024-04-{1 + (i % 28):00}.");
            data.Add(new JsonObject
            {
                ["id"] = OrderId(i),
                ["object"] = "order",
                ["status"] = s_statuses[random.Next(s_statuses.Length)],
                ["amount_total"] = Math.Round(total, 2),
                ["currency"] = "EUR",
                ["created_at"] = $"2024-04-{1 + (i % 28):00}T{i % 24:00}:15:00Z",
                ["customer"] = new JsonObject
                {
                    ["id"] = $"cus_{i * 7919 % 100000:00000}",
                    ["name"] = $"{first} {last}",
                    ["email"] = $"{first.ToLowerInvariant()}.{i}@example.com",
                    ["phone"] = null,
                    ["address"] = new JsonObject
                    {
                        ["line1"] = $"{10 + i} Rua Augusta",
                        ["city"] = s_cities[random.Next(s_cities.Length)],
                        ["postal_code"] = $"{1000 + (i * 37 % 8999)}",
                        ["country"] = "PT",
                    },
                },
                ["items"] = items,
                ["description"] = description.ToString().Trim(),
                ["tracking_url"] = $"https://track.example.com/parcels/{OrderId(i)}?lang=en",
                ["metadata"] = new JsonObject(),
                ["notes"] = "",
                ["coupon"] = null,
                ["tags"] = new JsonArray(),
                ["__typename"] = "Order",
                ["_links"] = new JsonObject { ["self"] = new JsonObject { ["href"] = $"/v1/orders/{OrderId(i)}" } },
            });
        }

        var root = new JsonObject
        {
            ["object"] = "list",
            ["url"] = "/v1/orders",
            ["has_more"] = true,
            ["next_cursor"] = "cur_9f8e7d6c5b4a",
            ["total_count"] = count,
            ["data"] = data,
            ["_links"] = new JsonObject { ["next"] = new JsonObject { ["href"] = "/v1/orders?cursor=cur_9f8e7d6c5b4a" } },
            ["$schema"] = "https://api.example.com/schemas/order-list.json",
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = indented, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>The id of order <paramref name="number"/> (1-based).</summary>
    public static string OrderId(int number) => $"ORD-{number:00000}";

    /// <summary>A long prose paragraph (about 120 tokens) with a number and an identifier in it.</summary>
    public static string Prose =>
        "The migration of the billing service finished overnight without any customer-facing downtime, although the " +
        "team noticed that 37 invoices were generated twice because of a retry in the queue consumer. Finance has been " +
        "informed and will void the duplicates manually before the end of the week, while engineering adds an " +
        "idempotency key to the consumer so the same message can never produce two invoices again. The incident is " +
        "tracked as INC-4821 and the postmortem will be shared with the wider organisation next Tuesday afternoon.";
}
