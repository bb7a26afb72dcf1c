using System.ComponentModel;
using Microsoft.SemanticKernel;

namespace ContextPress.Evals.World.Apps;

internal sealed class MailApp(SimWorld world) : AppBase(world, "mail")
{
    [KernelFunction("login"), Description("Logs in to the mail app; returns an access token.")]
    public string Login(string username, string password) => DoLogin(username, password);

    [KernelFunction("search_inbox"), Description("Searches the inbox, newest first, paginated.")]
    public string SearchInbox(string access_token, string query, int page = 1)
    {
        if (Unauthorized("search_inbox", access_token) is { } error)
        {
            return error;
        }

        (IReadOnlyList<Email> items, PageInfo info) = SimWorld.Paginate(World.SearchEmails(query), page, SimWorld.EmailsPageSize);
        return World.Respond("mail.search_inbox", items.Select(e => new { e.EmailId, e.ThreadId, e.Sender, e.SenderName, e.Subject, e.SentAt, e.Labels, body = e.Body }).ToList(), info);
    }

    [KernelFunction("read_email"), Description("Reads one e-mail in full.")]
    public string ReadEmail(string access_token, string email_id) =>
        Unauthorized("read_email", access_token)
        ?? (World.Emails.FirstOrDefault(e => e.EmailId == email_id) is { } email
            ? World.Respond("mail.read_email", email)
            : World.Error("mail.read_email", 404, $"No e-mail with id {email_id}."));

    [KernelFunction("send_email"), Description("Sends an e-mail.")]
    public string SendEmail(string access_token, string to, string subject, string body)
    {
        if (Unauthorized("send_email", access_token) is { } error)
        {
            return error;
        }

        World.Record("mail.send_email", ("to", to), ("subject", subject), ("body", body));
        return World.Respond("mail.send_email", new { email_id = SimWorld.IdFor("em", to, subject, body), to, subject, status = "sent", sent_at = SimWorld.Stamp(SimWorld.Now) });
    }
}
