using System.Globalization;
using System.Text;

namespace ContextPress.Evals.World;

/// <summary>Fills a <see cref="SimWorld"/> with its seeded base data (tasks add their own records on top).</summary>
internal static class WorldGenerator
{
    public static void Populate(SimWorld world, SeededRandom r)
    {
        string first = r.Pick(Prose.FirstNames);
        string last = r.Pick(Prose.LastNames);
        world.SetSupervisor(new Profile(first, last, $"{first}.{last}@simmail.com".ToLowerInvariant(), Phone(r), $"19{r.Next(70, 99)}-0{r.Next(1, 9)}-1{r.Next(0, 9)}",
            $"{r.Next(10, 400)} {r.Pick(Prose.Words)} Street, {r.Pick(Prose.Cities)}", r.Pick(Prose.Companies)));
        foreach (string app in SimWorld.Apps)
        {
            world.Passwords[app] = $"{r.Pick(Prose.Words)}-{r.Code(6)}-{r.Next(10, 99)}";
        }

        string[] networks = ["Visa", "Mastercard", "Amex", "Visa", "Mastercard"];
        foreach (string network in networks)
        {
            world.Cards.Add(new PaymentCard($"card_{r.Code(8)}", network, r.Next(1000, 9999).ToString(CultureInfo.InvariantCulture),
                $"{first} {last}", $"20{r.Next(27, 31)}-{r.Next(1, 12):00}", r.Pick(Prose.Cities), Prose.Filler(r, 2)));
        }

        for (int i = 0; i < 48; i++)
        {
            world.Contacts.Add(NewContact(r, r.Pick(Prose.FirstNames), r.Pick(Prose.LastNames)));
        }

        for (int i = 0; i < 60; i++)
        {
            Contact from = r.Pick(world.Contacts);
            world.Emails.Add(NewEmail(world, r, from, $"{r.Pick(Prose.Words)} {r.Pick(Prose.Nouns)} — {r.Pick(["update", "question", "follow-up", "notes", "plans", "invitation"])}",
                Prose.Filler(r, r.Next(6, 12)), SimWorld.Now.AddHours(-r.Next(2, 24 * 60))));
        }

        for (int i = 0; i < 40; i++)
        {
            DateTimeOffset start = SimWorld.Now.AddDays(r.Next(-20, 40)).Date.AddHours(r.Next(8, 19));
            var attendees = Enumerable.Range(0, r.Next(1, 4)).Select(_ => r.Pick(world.Contacts).Email).Distinct().ToList();
            world.Events.Add(NewEvent(r, $"{r.Pick(["Sync", "Review", "Lunch", "Workshop", "Call", "Planning", "1:1"])} — {r.Pick(Prose.Words)} {r.Pick(Prose.Nouns)}", start, attendees));
        }

        for (int i = 0; i < 90; i++)
        {
            bool person = r.Next(3) == 0;
            Contact c = r.Pick(world.Contacts);
            string merchant = r.Pick(Prose.Merchants);
            world.Transactions.Add(new Transaction($"txn_{r.Code(10)}", person ? $"{c.FirstName} {c.LastName}" : merchant,
                person ? c.Email : $"billing@{merchant.ToLowerInvariant().Replace(' ', '-').Replace("&", "and", StringComparison.Ordinal)}.com",
                Math.Round((decimal)(r.NextDouble() * 180) + 2, 2), "USD", r.Next(4) == 0 ? "incoming" : "outgoing",
                r.Pick(["completed", "completed", "completed", "pending", "refunded"]), SimWorld.Stamp(SimWorld.Now.AddHours(-r.Next(1, 24 * 90))),
                Prose.Filler(r, 2), r.Pick(world.Cards).CardId));
        }

        for (int i = 0; i < 120; i++)
        {
            world.Songs.Add(NewSong(r, r.Pick(Prose.Artists)));
        }

        for (int i = 0; i < 5; i++)
        {
            world.Playlists.Add(new Playlist($"pl_{r.Code(8)}", $"{r.Pick(Prose.Words)} {r.Pick(Prose.Nouns)}",
                Enumerable.Range(0, r.Next(6, 15)).Select(_ => r.Pick(world.Songs).SongId).Distinct().ToList(), Prose.Filler(r, 2)));
        }

        string[] folders = ["/documents", "/documents/work", "/photos", "/exports", "/backups"];
        for (int i = 0; i < 36; i++)
        {
            string folder = r.Pick(folders);
            string name = $"{r.Pick(Prose.Words).ToLowerInvariant()}_{r.Pick(Prose.Nouns).ToLowerInvariant()}_{r.Next(1, 99)}.{r.Pick(["pdf", "docx", "png", "csv", "txt"])}";
            world.Files.Add(NewFile(r, folder, name, Prose.Filler(r, r.Next(2, 6))));
        }

        string[] lists = ["Personal", "Work", "Errands", "Home"];
        for (int i = 0; i < 44; i++)
        {
            world.Todos.Add(new TodoItem($"task_{r.Code(8)}", r.Pick(lists), $"{r.Pick(["Call", "Buy", "Email", "Fix", "Book", "Renew", "Review"])} {r.Pick(Prose.Words).ToLowerInvariant()} {r.Pick(Prose.Nouns).ToLowerInvariant()}",
                SimWorld.Now.AddDays(r.Next(-5, 30)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), r.Pick(["low", "medium", "high"]), r.Pick(["open", "open", "done"]), Prose.Filler(r, r.Next(4, 7))));
        }

        for (int i = 0; i < 30; i++)
        {
            world.Notes.Add(new Note($"note_{r.Code(8)}", $"{r.Pick(Prose.Words)} {r.Pick(Prose.Nouns)} notes", [r.Pick(["ideas", "work", "travel", "recipes", "journal"])],
                SimWorld.Stamp(SimWorld.Now.AddHours(-r.Next(1, 24 * 120))), Prose.Filler(r, r.Next(4, 9))));
        }

        world.Files.Add(NewFile(r, "/exports", "card_statement_2025.csv", Statement(world, r, 820)));
    }

    public static Contact NewContact(SeededRandom r, string first, string last, string? email = null, string? company = null) =>
        new($"ct_{r.Code(8)}", first, last, email ?? $"{first}.{last}{r.Next(1, 99)}@{r.Pick(["simmail.com", "postbox.org", "mailhub.net"])}".ToLowerInvariant(), Phone(r),
            company ?? r.Pick(Prose.Companies), r.Pick(Prose.Cities), r.Pick(["friend", "colleague", "family", "neighbour", "client"]), Prose.Filler(r, r.Next(6, 10)));

    public static Email NewEmail(SimWorld world, SeededRandom r, Contact from, string subject, string body, DateTimeOffset sentAt) =>
        new($"em_{r.Code(10)}", $"th_{r.Code(8)}", from.Email, $"{from.FirstName} {from.LastName}", world.Supervisor.Email, subject, body, SimWorld.Stamp(sentAt),
            [r.Pick(["inbox", "personal", "work", "updates"])]);

    public static CalendarEvent NewEvent(SeededRandom r, string title, DateTimeOffset start, IReadOnlyList<string> attendees) =>
        new($"ev_{r.Code(8)}", title, r.Pick(["Room 4B", "Video call", "Cafe Central", "Main office", "Online"]), attendees, Prose.Filler(r, r.Next(5, 9)))
        {
            StartsAt = SimWorld.Stamp(start),
            EndsAt = SimWorld.Stamp(start.AddMinutes(r.Pick([30, 45, 60, 90]))),
        };

    public static Song NewSong(SeededRandom r, string artist) =>
        new($"so_{r.Code(8)}", $"{r.Pick(Prose.Words)} {r.Pick(Prose.Nouns)}", artist, $"{r.Pick(Prose.Words)} {r.Pick(Prose.Nouns)}", r.Next(150, 330),
            r.Next(1_000, 9_000_000), r.Pick(["indie", "pop", "electronic", "folk", "jazz"]), r.Next(2005, 2026), Prose.Filler(r, r.Next(3, 5)));

    public static FileEntry NewFile(SeededRandom r, string folder, string name, string content) =>
        new($"fi_{r.Code(8)}", $"{folder}/{name}", name, content.Length * 3L, SimWorld.Stamp(SimWorld.Now.AddHours(-r.Next(1, 24 * 200))), "me", Prose.Filler(r, r.Next(4, 7)), content);

    public static string Phone(SeededRandom r) => $"+1-{r.Next(200, 999)}-{r.Next(200, 999)}-{r.Next(1000, 9999)}";

    /// <summary>A long card statement (one huge observation when read).</summary>
    private static string Statement(SimWorld world, SeededRandom r, int rows)
    {
        var text = new StringBuilder("date,transaction_id,merchant,amount_usd,card_last_four,status,category,reference,memo\n");
        for (int i = 0; i < rows; i++)
        {
            AppendStatementRow(text, r, world, SimWorld.Now.AddHours(-(rows - i) * 9), r.Pick(Prose.Merchants), Math.Round((decimal)(r.NextDouble() * 120) + 1, 2), $"TX-{r.Code(8)}");
        }

        return text.ToString();
    }

    public static void AppendStatementRow(StringBuilder text, SeededRandom r, SimWorld world, DateTimeOffset when, string merchant, decimal amount, string id) =>
        text.Append(CultureInfo.InvariantCulture, $"{when:yyyy-MM-dd},{id},{merchant},{SimWorld.Money(amount)},{r.Pick(world.Cards).LastFour},{r.Pick(["settled", "settled", "pending"])},{r.Pick(["food", "transport", "shopping", "services"])},REF{r.Next(100000, 999999)},\"{r.Pick(["contactless", "online", "chip and pin", "recurring"])} purchase\"\n");
}
