using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ContextPress.Samples;

/// <summary>
/// A seeded, offline support-desk backend: a CRM with login, order search, order details, refunds and e-mail, whose
/// JSON results are as large and noisy as real ones (request ids, pagination, long descriptions, look-alike orders).
/// </summary>
internal sealed class SupportDesk
{
    public const string AgentUser = "agent.k@shop.example";
    public const string AgentPassword = "s3cret-Harbor-42";
    public const string CustomerEmail = "maria.lopez@example.com";
    public const string DamagedOrderId = "ORD-58213";

    private static readonly string[] Products =
    [
        "Trail running shoes", "Merino wool socks", "Insulated water bottle", "Rain shell jacket", "Headlamp 400 lm",
        "Camping mug", "Trekking poles", "Dry bag 20 L", "Sun hat", "Fleece midlayer", "Compression sleeves", "Gaiters",
    ];

    private readonly Random _random = new(20261122);
    private readonly Dictionary<string, JsonObject> _orders = new(StringComparer.Ordinal);
    private readonly string _token;
    private int _requests;

    public SupportDesk()
    {
        _token = $"tok-{_random.Next(100000, 999999)}-{_random.Next(1000, 9999)}";
        for (int i = 0; i < 36; i++)
        {
            // Look-alike ids (ORD-58231, ORD-52813 ...) next to the one the customer names.
            string id = i == 17 ? DamagedOrderId : i % 7 == 3 ? $"ORD-5{_random.Next(8000, 8999)}" : $"ORD-{_random.Next(40000, 69999)}";
            while (i != 17 && (id == DamagedOrderId || _orders.ContainsKey(id)))
            {
                id = $"ORD-{_random.Next(40000, 69999)}";
            }

            _orders[id] = CreateOrder(id, i == 17);
        }
    }

    public List<string> Refunds { get; } = [];

    public List<string> Emails { get; } = [];

    [Description("Logs in to the CRM and returns an access token for the other calls.")]
    public string Login([Description("The agent's user name")] string username, [Description("The agent's password")] string password)
    {
        if (username != AgentUser || password != AgentPassword)
        {
            return Envelope(new JsonObject { ["error"] = "invalid_credentials" });
        }

        return Envelope(new JsonObject { ["access_token"] = _token, ["token_type"] = "bearer", ["expires_in"] = 3600, ["scopes"] = new JsonArray("orders:read", "payments:refund", "mail:send") });
    }

    [Description("Searches a customer's orders by e-mail; returns order summaries, newest first.")]
    public string SearchOrders([Description("Access token from Login")] string accessToken, [Description("The customer's e-mail")] string customerEmail)
    {
        if (accessToken != _token)
        {
            return Envelope(new JsonObject { ["error"] = "unauthorized" });
        }

        JsonArray summaries = [];
        foreach (JsonObject order in _orders.Values)
        {
            summaries.Add(new JsonObject
            {
                ["order_id"] = order["order_id"]!.GetValue<string>(),
                ["placed_at"] = order["placed_at"]!.GetValue<string>(),
                ["status"] = order["status"]!.GetValue<string>(),
                ["total"] = order["total"]!.GetValue<decimal>(),
                ["currency"] = "EUR",
                ["item_count"] = order["items"]!.AsArray().Count,
                ["summary"] = order["notes"]!.GetValue<string>(),
                ["_links"] = new JsonObject { ["self"] = $"https://crm.example/api/orders/{order["order_id"]}" },
            });
        }

        return Envelope(new JsonObject
        {
            ["customer"] = new JsonObject { ["email"] = customerEmail, ["name"] = "Maria Lopez", ["tier"] = "gold", ["customer_id"] = "CUS-20417" },
            ["orders"] = summaries,
            ["pagination"] = new JsonObject { ["page"] = 1, ["page_size"] = 50, ["total"] = summaries.Count, ["next"] = null },
        });
    }

    [Description("Gets an order's full details, including its payment id and line items.")]
    public string GetOrder([Description("Access token from Login")] string accessToken, [Description("The order id, e.g. ORD-12345")] string orderId)
    {
        if (accessToken != _token)
        {
            return Envelope(new JsonObject { ["error"] = "unauthorized" });
        }

        return _orders.TryGetValue(orderId, out JsonObject? order)
            ? Envelope(new JsonObject { ["order"] = order.DeepClone() })
            : Envelope(new JsonObject { ["error"] = "order_not_found", ["order_id"] = orderId });
    }

    [Description("Refunds a payment, fully or partly.")]
    public string RefundPayment(
        [Description("Access token from Login")] string accessToken,
        [Description("The payment id of the order, e.g. PAY-AB12CD")] string paymentId,
        [Description("The amount to refund")] decimal amount,
        [Description("ISO currency code")] string currency)
    {
        if (accessToken != _token)
        {
            return Envelope(new JsonObject { ["error"] = "unauthorized" });
        }

        JsonObject? order = _orders.Values.FirstOrDefault(o => o["payment"]!["payment_id"]!.GetValue<string>() == paymentId);
        if (order is null)
        {
            return Envelope(new JsonObject { ["error"] = "payment_not_found" });
        }

        string refundId = $"RF-{_random.Next(100000, 999999)}";
        Refunds.Add(string.Create(CultureInfo.InvariantCulture, $"{paymentId} {amount:0.00} {currency} {refundId}"));
        return Envelope(new JsonObject { ["refund_id"] = refundId, ["payment_id"] = paymentId, ["amount"] = amount, ["currency"] = currency, ["state"] = "succeeded" });
    }

    [Description("Sends an e-mail to a customer.")]
    public string SendEmail(
        [Description("Access token from Login")] string accessToken,
        [Description("Recipient")] string to,
        [Description("Subject")] string subject,
        [Description("Body")] string body)
    {
        if (accessToken != _token)
        {
            return Envelope(new JsonObject { ["error"] = "unauthorized" });
        }

        Emails.Add($"{to}: {subject} | {body}");
        return Envelope(new JsonObject { ["message_id"] = $"MSG-{_random.Next(100000, 999999)}", ["status"] = "queued" });
    }

    /// <summary>The refund the task should produce: the damaged order's payment, its full total in EUR.</summary>
    public string ExpectedRefundPrefix()
    {
        JsonObject order = _orders[DamagedOrderId];
        return string.Create(CultureInfo.InvariantCulture, $"{order["payment"]!["payment_id"]} {order["total"]!.GetValue<decimal>():0.00} EUR");
    }

    private JsonObject CreateOrder(string id, bool damaged)
    {
        JsonArray items = [];
        decimal total = 0;
        int count = _random.Next(6, 14);
        for (int i = 0; i < count; i++)
        {
            string product = Products[_random.Next(Products.Length)];
            decimal price = Math.Round((decimal)(_random.NextDouble() * 80 + 5), 2);
            int quantity = _random.Next(1, 3);
            total += price * quantity;
            items.Add(new JsonObject
            {
                ["sku"] = $"SKU-{_random.Next(10000, 99999)}",
                ["name"] = product,
                ["quantity"] = quantity,
                ["unit_price"] = price,
                ["description"] = $"{product}: lightweight, durable and made for long days outdoors. Care: hand wash cold, dry flat, do not bleach. " +
                                  "Ships from our central warehouse; returns accepted within 30 days in original packaging.",
                ["warehouse"] = new JsonObject { ["code"] = $"WH-{_random.Next(1, 9)}", ["aisle"] = _random.Next(1, 40), ["bin"] = $"B{_random.Next(100, 999)}" },
            });
        }

        DateTime placed = new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc).AddHours(_random.Next(0, 24 * 50));
        return new JsonObject
        {
            ["order_id"] = id,
            ["placed_at"] = placed.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["status"] = damaged ? "delivered_damaged" : _random.Next(3) switch { 0 => "delivered", 1 => "shipped", _ => "processing" },
            ["total"] = Math.Round(total, 2),
            ["currency"] = "EUR",
            ["payment"] = new JsonObject { ["payment_id"] = $"PAY-{_random.Next(100000, 999999):X}", ["method"] = "card", ["card_last4"] = $"{_random.Next(1000, 9999)}" },
            ["shipping"] = new JsonObject { ["carrier"] = "DHL", ["tracking"] = $"JD0{_random.Next(10000000, 99999999)}", ["address"] = "Calle Mayor 12, 28013 Madrid, ES" },
            ["items"] = items,
            ["notes"] = damaged
                ? "Customer reported the parcel arrived crushed; photos attached to ticket TCK-9931. Eligible for a full refund under the damaged-goods policy."
                : "No issues reported. Standard delivery; customer opted in to order status e-mails and SMS notifications.",
        };
    }

    private string Envelope(JsonObject data)
    {
        _requests++;
        return new JsonObject
        {
            ["request_id"] = $"req-{_requests:D4}-{_random.Next(100000, 999999)}",
            ["api_version"] = "2026-09-01",
            ["data"] = data,
            ["meta"] = new JsonObject { ["region"] = "eu-west-1", ["rate_limit_remaining"] = 4990 - _requests, ["deprecation_notice"] = "Version 2025-01-01 of this API is retired; clients must send api_version 2026-09-01 or later." },
        }.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
