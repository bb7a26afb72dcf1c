using System.ComponentModel;
using System.Globalization;
using Microsoft.SemanticKernel;

namespace ContextPress.Evals.World.Apps;

internal sealed class PaymentsApp(SimWorld world) : AppBase(world, "payments")
{
    [KernelFunction("login"), Description("Logs in to the payments app; returns an access token.")]
    public string Login(string username, string password) => DoLogin(username, password);

    [KernelFunction("list_transactions"), Description("Lists transactions, newest first, optionally filtered by counterparty or note, paginated.")]
    public string ListTransactions(string access_token, string query = "", int page = 1)
    {
        if (Unauthorized("list_transactions", access_token) is { } error)
        {
            return error;
        }

        (IReadOnlyList<Transaction> items, PageInfo info) = SimWorld.Paginate(World.SearchTransactions(query), page, SimWorld.TransactionsPageSize);
        return World.Respond("payments.list_transactions", items, info);
    }

    [KernelFunction("send_payment"), Description("Sends money to a person by e-mail, paid with one of the supervisor's cards.")]
    public string SendPayment(string access_token, string recipient_email, string amount, string card_id, string note = "")
    {
        if (Unauthorized("send_payment", access_token) is { } error)
        {
            return error;
        }

        if (!decimal.TryParse(amount, NumberStyles.Number, CultureInfo.InvariantCulture, out decimal value) || value <= 0 || World.Cards.All(c => c.CardId != card_id))
        {
            return World.Error("payments.send_payment", 400, "Invalid amount or unknown card.");
        }

        World.Record("payments.send_payment", ("recipient_email", recipient_email), ("amount", SimWorld.Money(value)), ("card_id", card_id));
        return World.Respond("payments.send_payment", new { transaction_id = SimWorld.IdFor("txn", recipient_email, amount, card_id), recipient_email, amount = SimWorld.Money(value), currency = "USD", card_id, note, status = "completed" });
    }

    [KernelFunction("dispute_charge"), Description("Opens a dispute for a card charge by its statement transaction id and amount.")]
    public string DisputeCharge(string access_token, string transaction_id, string amount, string reason)
    {
        if (Unauthorized("dispute_charge", access_token) is { } error)
        {
            return error;
        }

        World.Record("payments.dispute_charge", ("transaction_id", transaction_id), ("amount", amount));
        return World.Respond("payments.dispute_charge", new { dispute_id = SimWorld.IdFor("dsp", transaction_id, amount), transaction_id, amount, reason, status = "opened", expected_resolution_days = 10 });
    }
}
