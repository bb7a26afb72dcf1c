using System.Globalization;
using System.Text;
using ContextPress.Evals.World;
using static ContextPress.Evals.Tasks.StepArgument;

namespace ContextPress.Evals.Tasks;

/// <summary>
/// The task families. Each adds its records to a fresh world and returns a task whose later calls need facts from
/// earlier outputs: login-token chains, exact amounts, the updated value rather than the stale one, long-lag recall,
/// one huge observation, look-alike entities, values spread over pages.
/// </summary>
internal static class TaskFamilies
{
    public static readonly IReadOnlyList<(string Name, string Tests, Func<SimWorld, SeededRandom, (string Instruction, PlanBuilder Plan)> Create)> All =
    [
        ("pay-back-from-email", "exact amount from a paged inbox, card id from the first steps", PayBack),
        ("new-email-address", "the updated address, not the stale one", NewEmailAddress),
        ("playlist-top-songs", "ids spread over three pages, a created id", PlaylistTopSongs),
        ("reschedule-and-notify", "look-alike events, the new time after an update", Reschedule),
        ("dispute-statement-charge", "one huge observation (a long CSV statement)", DisputeCharge),
        ("share-with-lookalike", "look-alike contacts and files", ShareWithLookalike),
        ("split-dinner-bill", "an exact amount, a computed share, two e-mails", SplitBill),
        ("offsite-from-note", "long-lag recall of a note's date, amount and address", OffsiteFromNote),
        ("login-chain", "a token from the first login used at the last step", LoginChain),
        ("errands-digest", "titles from three pages, the supervisor's own address", ErrandsDigest),
    ];

    /// <summary>Builds task <paramref name="index"/> of <paramref name="family"/> with its fresh world (deterministic).</summary>
    public static (SimWorld World, EvalTask Task) Build(string family, int index, int suiteSeed = 0)
    {
        int f = All.Select((x, i) => (x.Name, i)).First(x => x.Name == family).i;
        int seed = unchecked((suiteSeed * 7919) + (f * 1009) + (index * 17) + 1);
        SimWorld world = SimWorld.Create(seed);
        (string instruction, PlanBuilder plan) = All[f].Create(world, SeededRandom.For(seed, "task/" + family));
        return (world, new EvalTask($"{family}#{index}", family, instruction, plan.Steps));
    }

    private static (string, PlanBuilder) PayBack(SimWorld w, SeededRandom r)
    {
        Contact c = AddContact(w, r);
        string occasion = r.Pick(["concert", "festival", "play", "match"]);
        decimal total = Amount(r, 60, 260);
        string half = SimWorld.Money(Math.Round(total / 2, 2, MidpointRounding.AwayFromZero));
        for (int i = 0; i < 7; i++)
        {
            Contact other = r.Pick(w.Contacts);
            w.Emails.Add(WorldGenerator.NewEmail(w, r, other, $"Tickets for the {r.Pick(["expo", "gala", "cup final", occasion])}",
                $"Hi {w.Supervisor.FirstName}, {r.Pick(["I can get", "I got", "should I buy"])} tickets, {SimWorld.Money(Amount(r, 20, 300))} each. {Prose.Filler(r, 3)}", SimWorld.Now.AddHours(-r.Next(2, 400))));
        }

        Email target = WorldGenerator.NewEmail(w, r, c, $"Tickets for the {occasion}",
            $"Hi {w.Supervisor.FirstName}, I bought both tickets for the {occasion}: {SimWorld.Money(total)} in total, so your half is {half}. " +
            $"Please send it to this address when you can. {Prose.Filler(r, 4)}", SimWorld.Now.AddHours(-r.Next(2, 400)));
        w.Emails.Add(target);
        PaymentCard card = r.Pick(w.Cards);
        var plan = new PlanBuilder(w).Start(cards: true).Login("mail")
            .Pages("mail-search_inbox", "Search the inbox for the e-mail about the tickets.", "mail", "query", "tickets", PageOf(w.SearchEmails("tickets"), target, SimWorld.EmailsPageSize))
            .Add("mail-read_email", "Read the e-mail about the tickets to find the amount owed.", new PlanBuilder(w).Token("mail"), Fact("email_id", target.EmailId))
            .Login("payments");
        plan.Add("payments-send_payment", "Pay the sender the amount owed with the card the request names.", plan.Token("payments"),
            Fact("recipient_email", c.Email), Fact("amount", half), Fact("card_id", card.CardId), Literal("note", $"My half for the {occasion}"));
        return ($"{c.FirstName} {c.LastName} e-mailed me about the {occasion} tickets. Pay them back my half on Payments with my {card.Network} card ending in {card.LastFour}.", plan);
    }

    private static (string, PlanBuilder) NewEmailAddress(SimWorld w, SeededRandom r)
    {
        Contact c = AddContact(w, r);
        string fresh = $"{c.FirstName}.{c.LastName}.{r.Next(100, 999)}@{r.Pick(["fastmail.sim", "proton.sim", "outlook.sim"])}".ToLowerInvariant();
        for (int i = 0; i < 5; i++)
        {
            Contact other = r.Pick(w.Contacts);
            w.Emails.Add(WorldGenerator.NewEmail(w, r, other, "My new address", $"We moved! Our new address is {r.Next(10, 300)} {r.Pick(Prose.Words)} Road, {r.Pick(Prose.Cities)}. {Prose.Filler(r, 3)}", SimWorld.Now.AddHours(-r.Next(2, 600))));
        }

        Email target = WorldGenerator.NewEmail(w, r, c, "My new address",
            $"Hi {w.Supervisor.FirstName}, I am closing this mailbox next week. From now on please write to {fresh} instead. {Prose.Filler(r, 4)}", SimWorld.Now.AddHours(-r.Next(2, 600)));
        w.Emails.Add(target);
        var plan = new PlanBuilder(w).Start().Login("contacts")
            .Pages("contacts-search_contacts", "Find the contact by name.", "contacts", "query", c.LastName, PageOf(w.SearchContacts(c.LastName), c, SimWorld.ContactsPageSize))
            .Login("mail")
            .Pages("mail-search_inbox", "Find the contact's e-mail about the new address.", "mail", "query", "new address", PageOf(w.SearchEmails("new address"), target, SimWorld.EmailsPageSize));
        plan.Add("mail-read_email", "Read the contact's e-mail to get the new e-mail address.", plan.Token("mail"), Fact("email_id", target.EmailId))
            .Add("contacts-update_contact", "Update the contact's e-mail to the new address.", plan.Token("contacts"), Fact("contact_id", c.ContactId), Literal("field", "email"), Fact("value", fresh))
            .Add("mail-send_email", "Confirm to the contact at the updated address.", plan.Token("mail"), Fact("to", fresh), Literal("subject", "Address updated"), Literal("body", "Got it, I updated your address in my contacts."));
        return ($"{c.FirstName} {c.LastName} wrote that their e-mail address changed. Update it in my contacts and send them a short confirmation at the new address.", plan);
    }

    private static (string, PlanBuilder) PlaylistTopSongs(SimWorld w, SeededRandom r)
    {
        string artist = $"{r.Pick(Prose.Words)} {r.Pick(Prose.Nouns)} {r.Pick(["Collective", "Quartet", "Society", "Project"])}";
        for (int i = 0; i < 19; i++)
        {
            w.Songs.Add(WorldGenerator.NewSong(r, artist));
        }

        List<Song> found = w.SearchSongs(artist);
        List<Song> top = found.OrderByDescending(s => s.PlayCount).Take(3).ToList();
        string name = $"Best of {artist}";
        string playlistId = SimWorld.IdFor("pl", name);
        var plan = new PlanBuilder(w).Start().Login("music")
            .Pages("music-search_songs", "List all the artist's songs with their play counts.", "music", "query", artist, (found.Count + SimWorld.SongsPageSize - 1) / SimWorld.SongsPageSize);
        plan.Add("music-create_playlist", "Create the new playlist.", plan.Token("music"), Literal("name", name));
        foreach (Song song in top)
        {
            plan.Add("music-add_song_to_playlist", "Add one of the three most-played songs to the new playlist.", plan.Token("music"), Fact("playlist_id", playlistId), Fact("song_id", song.SongId));
        }

        return ($"Make a playlist called \"{name}\" with the three most-played songs by {artist}.", plan);
    }

    private static (string, PlanBuilder) Reschedule(SimWorld w, SeededRandom r)
    {
        Contact c = AddContact(w, r);
        string project = $"{r.Pick(Prose.Words)} {r.Pick(Prose.Nouns)}";
        string title = $"Design review — {project}";
        for (int i = 0; i < 7; i++)
        {
            w.Events.Add(WorldGenerator.NewEvent(r, $"Design review — {r.Pick(Prose.Words)} {r.Pick(Prose.Nouns)}", SimWorld.Now.AddDays(r.Next(1, 30)).Date.AddHours(r.Next(9, 17)), [r.Pick(w.Contacts).Email]));
        }

        w.Events.Add(WorldGenerator.NewEvent(r, title + " (draft)", SimWorld.Now.AddDays(r.Next(1, 30)).Date.AddHours(10), [c.Email]));
        CalendarEvent target = WorldGenerator.NewEvent(r, title, SimWorld.Now.AddDays(r.Next(1, 30)).Date.AddHours(r.Next(9, 12)), [c.Email, r.Pick(w.Contacts).Email]);
        w.Events.Add(target);
        w.Events.Add(WorldGenerator.NewEvent(r, title + " follow-up", SimWorld.Now.AddDays(r.Next(1, 30)).Date.AddHours(15), [c.Email]));
        DateTimeOffset moved = SimWorld.Now.AddDays(r.Next(5, 25)).Date.AddHours(r.Next(13, 17));
        string newStart = SimWorld.Stamp(moved);
        Email mail = WorldGenerator.NewEmail(w, r, c, $"Moving the {project} review",
            $"Hi {w.Supervisor.FirstName}, something came up. Could we move the {project} design review (not the follow-up) to {newStart}? Same length as before. {Prose.Filler(r, 3)}", SimWorld.Now.AddHours(-3));
        w.Emails.Add(mail);
        string due = moved.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var plan = new PlanBuilder(w).Start().Login("calendar")
            .Pages("calendar-search_events", "Find the design review event.", "calendar", "query", "Design review", PageOf(w.SearchEvents("Design review"), target, SimWorld.EventsPageSize))
            .Login("mail")
            .Pages("mail-search_inbox", "Find the e-mail asking to move the review.", "mail", "query", "Moving the", PageOf(w.SearchEmails("Moving the"), mail, SimWorld.EmailsPageSize));
        plan.Add("mail-read_email", "Read the e-mail to get the requested new time.", plan.Token("mail"), Fact("email_id", mail.EmailId))
            .Add("calendar-reschedule_event", "Move the review to the requested time.", plan.Token("calendar"), Fact("event_id", target.EventId), Fact("new_start", newStart))
            .Login("todo")
            .Add("todo-create_task", "Add a task due on the day of the moved review.", plan.Token("todo"), Literal("list_name", "Work"), Literal("title", $"Prepare the {project} review"), Fact("due_on", due))
            .Add("mail-send_email", "Confirm the new time to the person who asked.", plan.Token("mail"), Fact("to", c.Email), Literal("subject", "Review moved"),
                Derived("body", $"Done: the {project} review now starts at {newStart}.", newStart, newStart));
        return ($"{c.FirstName} {c.LastName} asked by e-mail to move the {project} design review. Move it, add a Work todo due that day to prepare it, and confirm to them.", plan);
    }

    private static (string, PlanBuilder) DisputeCharge(SimWorld w, SeededRandom r)
    {
        string merchant = $"{r.Pick(Prose.Words)} {r.Pick(Prose.Nouns)} Outlet";
        decimal amount = Amount(r, 40, 400);
        string first = $"TX-{r.Code(8)}";
        string second = $"TX-{r.Code(8)}";
        int index = w.Files.FindIndex(f => f.Name == "card_statement_2025.csv");
        FileEntry statement = w.Files[index];
        List<string> lines = statement.Content.TrimEnd('\n').Split('\n').ToList();
        int at = r.Next(lines.Count / 4, 3 * lines.Count / 4);
        var rows = new StringBuilder();
        DateTimeOffset when = SimWorld.Now.AddDays(-r.Next(20, 60));
        WorldGenerator.AppendStatementRow(rows, r, w, when, merchant, amount, first);
        WorldGenerator.AppendStatementRow(rows, r, w, when, merchant, amount, second);
        WorldGenerator.AppendStatementRow(rows, r, w, when.AddDays(-9), merchant, Amount(r, 5, 30), $"TX-{r.Code(8)}");
        lines.Insert(at, rows.ToString().TrimEnd('\n'));
        w.Files[index] = statement with { Content = string.Join('\n', lines) + "\n" };
        var plan = new PlanBuilder(w).Start().Login("files")
            .Pages("files-list_directory", "List the exports folder to find the card statement.", "files", "path", "/exports", PageOf(w.ListDirectory("/exports"), w.Files[index], SimWorld.FilesPageSize));
        plan.Add("files-read_file", "Read the card statement.", plan.Token("files"), Fact("file_id", statement.FileId))
            .Login("payments")
            .Add("payments-dispute_charge", "Dispute the second of the two identical charges.", plan.Token("payments"), Fact("transaction_id", second), Fact("amount", SimWorld.Money(amount)), Literal("reason", "Duplicate charge"));
        return ($"My card statement in /exports shows {merchant} charging me twice on the same day for the same amount. Dispute the second (later-listed) charge.", plan);
    }

    private static (string, PlanBuilder) ShareWithLookalike(SimWorld w, SeededRandom r)
    {
        string first = r.Pick(Prose.FirstNames);
        string last = r.Pick(Prose.LastNames);
        string company = r.Pick(Prose.Companies);
        Contact target = WorldGenerator.NewContact(r, first, last, company: company);
        w.Contacts.Add(WorldGenerator.NewContact(r, first, last, company: Prose.Companies.First(x => x != company)));
        w.Contacts.Add(target);
        w.Contacts.Add(WorldGenerator.NewContact(r, first, last + "s", company: company));
        w.Contacts.Add(WorldGenerator.NewContact(r, first, last, company: Prose.Companies.Last(x => x != company)));
        string stem = $"{r.Pick(Prose.Words).ToLowerInvariant()}_budget";
        FileEntry? wanted = null;
        foreach (string suffix in new[] { "v1", "v2", "v2_copy", "v3_draft" })
        {
            FileEntry file = WorldGenerator.NewFile(r, "/documents/work", $"{stem}_{suffix}.xlsx", Prose.Filler(r, 3));
            w.Files.Add(file);
            wanted = suffix == "v2" ? file : wanted;
        }

        var plan = new PlanBuilder(w).Start().Login("contacts")
            .Pages("contacts-search_contacts", "Find the contact by name and company.", "contacts", "query", $"{first} {last}", PageOf(w.SearchContacts($"{first} {last}"), target, SimWorld.ContactsPageSize))
            .Login("files")
            .Pages("files-list_directory", "List the work documents to find the file.", "files", "path", "/documents/work", PageOf(w.ListDirectory("/documents/work"), wanted!, SimWorld.FilesPageSize));
        plan.Add("files-share_file", "Share the file with the contact.", plan.Token("files"), Fact("file_id", wanted!.FileId), Fact("email", target.Email));
        return ($"Share {stem}_v2.xlsx (not the copy or the draft) from my work documents with {first} {last} from {company}.", plan);
    }

    private static (string, PlanBuilder) SplitBill(SimWorld w, SeededRandom r)
    {
        string restaurant = $"Osteria {r.Pick(Prose.FirstNames)}";
        decimal total = Amount(r, 90, 330);
        string share = SimWorld.Money(Math.Round(total / 3, 2, MidpointRounding.AwayFromZero));
        w.Transactions.Add(new Transaction($"txn_{r.Code(10)}", restaurant + "na", "billing@osteria.sim", Amount(r, 90, 330), "USD", "outgoing", "completed", SimWorld.Stamp(SimWorld.Now.AddDays(-1)), "Dinner", w.Cards[0].CardId));
        w.Transactions.Add(new Transaction($"txn_{r.Code(10)}", restaurant, "billing@osteria.sim", Amount(r, 90, 330), "USD", "outgoing", "completed", SimWorld.Stamp(SimWorld.Now.AddDays(-35)), "Dinner", w.Cards[0].CardId));
        w.Transactions.Add(new Transaction($"txn_{r.Code(10)}", restaurant, "billing@osteria.sim", total, "USD", "outgoing", "completed", SimWorld.Stamp(SimWorld.Now.AddHours(-20)), "Dinner for three", w.Cards[1].CardId));
        Contact a = AddContact(w, r);
        Contact b = AddContact(w, r);
        var plan = new PlanBuilder(w).Start().Login("payments");
        plan.Pages("payments-list_transactions", "Find yesterday's restaurant payment and its exact amount in the recent transactions.", "payments", "query", string.Empty,
                PageOf(w.SearchTransactions(string.Empty), w.Transactions[^1], SimWorld.TransactionsPageSize) + 1)
            .Login("contacts")
            .Pages("contacts-search_contacts", "Find the first friend's e-mail.", "contacts", "query", $"{a.FirstName} {a.LastName}", PageOf(w.SearchContacts($"{a.FirstName} {a.LastName}"), a, SimWorld.ContactsPageSize))
            .Pages("contacts-search_contacts", "Find the second friend's e-mail.", "contacts", "query", $"{b.FirstName} {b.LastName}", PageOf(w.SearchContacts($"{b.FirstName} {b.LastName}"), b, SimWorld.ContactsPageSize))
            .Login("mail");
        string totalText = SimWorld.Money(total);
        foreach (Contact friend in new[] { a, b })
        {
            plan.Add("mail-send_email", "Tell a friend their third of the dinner bill.", plan.Token("mail"), Fact("to", friend.Email), Literal("subject", "Dinner"),
                Derived("body", $"Dinner came to {totalText}; your third is {share}.", share, totalText));
        }

        return ($"I paid yesterday's dinner for three at {restaurant}. E-mail {a.FirstName} {a.LastName} and {b.FirstName} {b.LastName} their exact third of the bill.", plan);
    }

    private static (string, PlanBuilder) OffsiteFromNote(SimWorld w, SeededRandom r)
    {
        string venue = $"{r.Pick(Prose.Words)} {r.Pick(["Lodge", "Barn", "Loft", "Hall"])}";
        string venueEmail = $"bookings@{venue.ToLowerInvariant().Replace(' ', '-')}.sim";
        decimal deposit = Amount(r, 200, 900);
        string deadline = SimWorld.Now.AddDays(r.Next(10, 40)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var note = new Note($"note_{r.Code(8)}", "Team offsite planning", ["work", "offsite"], SimWorld.Stamp(SimWorld.Now.AddDays(-2)),
            $"{Prose.Filler(r, 4)} Venue: {venue}. We must book it by {deadline}; the deposit of {SimWorld.Money(deposit)} goes to {venueEmail}. {Prose.Filler(r, 5)}");
        w.Notes.Add(note);
        w.Notes.Add(new Note($"note_{r.Code(8)}", "Offsite ideas (old)", ["offsite"], SimWorld.Stamp(SimWorld.Now.AddDays(-90)),
            $"{Prose.Filler(r, 3)} Maybe a deposit of {SimWorld.Money(Amount(r, 200, 900))} somewhere by the lake. {Prose.Filler(r, 2)}"));
        PaymentCard card = r.Pick(w.Cards);
        var plan = new PlanBuilder(w).Start(cards: true).Login("notes");
        plan.Add("notes-search_notes", "Find the offsite planning note.", plan.Token("notes"), Literal("query", "offsite"), Literal("page", "1"))
            .Add("notes-read_note", "Read the planning note for the venue, deadline and deposit.", plan.Token("notes"), Fact("note_id", note.NoteId))
            .Login("todo")
            .Pages("todo-list_tasks", "Check the Work list for an existing booking task.", "todo", "list_name", "Work", 2)
            .Login("calendar")
            .Pages("calendar-search_events", "Check the calendar for planning meetings.", "calendar", "query", "Planning", 1)
            .Add("todo-create_task", "Add a Work task to book the venue by the note's deadline.", plan.Token("todo"), Literal("list_name", "Work"), Literal("title", "Book the offsite venue"), Fact("due_on", deadline))
            .Login("payments")
            .Add("payments-send_payment", "Pay the venue deposit with the card the request names.", plan.Token("payments"), Fact("recipient_email", venueEmail), Fact("amount", SimWorld.Money(deposit)), Fact("card_id", card.CardId), Literal("note", "Offsite deposit"));
        return ($"Use my team offsite planning note: check my Work todos and calendar first, then add a Work task to book the venue by the note's deadline and pay the deposit with my {card.Network} card ending in {card.LastFour}.", plan);
    }

    private static (string, PlanBuilder) LoginChain(SimWorld w, SeededRandom r)
    {
        Contact friend = AddContact(w, r);
        string artist = r.Pick(Prose.Artists);
        CalendarEvent lunch = WorldGenerator.NewEvent(r, $"Lunch with {friend.FirstName}", SimWorld.Now.AddDays(r.Next(2, 20)).Date.AddHours(12), [friend.Email]);
        w.Events.Add(lunch);
        Song song = w.SearchSongs(artist)[0];
        var plan = new PlanBuilder(w).Start().Login("mail")
            .Pages("mail-search_inbox", "Check the inbox for recent messages from the friend.", "mail", "query", friend.FirstName, 1)
            .Login("contacts")
            .Pages("contacts-search_contacts", "Find the friend's e-mail.", "contacts", "query", $"{friend.FirstName} {friend.LastName}", PageOf(w.SearchContacts($"{friend.FirstName} {friend.LastName}"), friend, SimWorld.ContactsPageSize))
            .Login("calendar")
            .Pages("calendar-search_events", "Find the lunch with the friend and its time.", "calendar", "query", $"Lunch with {friend.FirstName}", 1)
            .Login("music")
            .Pages("music-search_songs", "Find a song by the artist.", "music", "query", artist, 1);
        plan.Add("mail-send_email", "E-mail the friend the lunch time and the song title.", plan.Token("mail"), Fact("to", friend.Email), Literal("subject", "Lunch"),
            Derived("body", $"See you at {lunch.StartsAt}! Listen to \"{song.Title}\" by {artist} before then.", lunch.StartsAt, lunch.StartsAt, song.Title));
        return ($"E-mail {friend.FirstName} {friend.LastName} the start time of our upcoming lunch and the title of the first song the music app lists for {artist}.", plan);
    }

    private static (string, PlanBuilder) ErrandsDigest(SimWorld w, SeededRandom r)
    {
        for (int i = 0; i < 18; i++)
        {
            w.Todos.Add(new TodoItem($"task_{r.Code(8)}", "Errands", $"{r.Pick(["Pick up", "Drop off", "Return", "Buy"])} {r.Pick(Prose.Words).ToLowerInvariant()} {r.Pick(Prose.Nouns).ToLowerInvariant()}",
                SimWorld.Now.AddDays(r.Next(-3, 25)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), r.Pick(["low", "medium"]), "open", Prose.Filler(r, 2)));
        }

        var titles = new List<string>();
        for (int i = 0; i < 2; i++)
        {
            string title = $"{r.Pick(["Renew", "Collect", "Repair"])} the {r.Pick(Prose.Words).ToLowerInvariant()} {r.Pick(Prose.Nouns).ToLowerInvariant()} at {r.Pick(Prose.Merchants)}";
            titles.Add(title);
            w.Todos.Add(new TodoItem($"task_{r.Code(8)}", "Errands", title, SimWorld.Now.AddDays(r.Next(1, 25)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "high", "open", Prose.Filler(r, 2)));
        }

        int pages = (w.ListTodos("Errands").Count + SimWorld.TodosPageSize - 1) / SimWorld.TodosPageSize;
        var plan = new PlanBuilder(w).Start().Login("todo")
            .Pages("todo-list_tasks", "List every Errands task with its priority.", "todo", "list_name", "Errands", pages)
            .Login("mail");
        plan.Add("mail-send_email", "E-mail the supervisor the high-priority open errands.", plan.Token("mail"), Fact("to", w.Supervisor.Email), Literal("subject", "High-priority errands"),
            Derived("body", string.Join("\n", titles), titles[0], titles[0], titles[1]));
        return ("E-mail me, at my own address, the titles of the high-priority open tasks in my Errands list.", plan);
    }

    private static Contact AddContact(SimWorld w, SeededRandom r)
    {
        Contact c = WorldGenerator.NewContact(r, r.Pick(Prose.FirstNames), r.Pick(Prose.LastNames));
        w.Contacts.Add(c);
        return c;
    }

    /// <summary>An amount with two significant decimals whose last digit is not 0 (so it prints the same everywhere).</summary>
    private static decimal Amount(SeededRandom r, int min, int max)
    {
        int cents = r.Next(min * 100, max * 100);
        if (cents % 10 == 0)
        {
            cents += 7;
        }

        return decimal.Parse(SimWorld.Money(cents / 100m), CultureInfo.InvariantCulture);
    }

    private static int PageOf<T>(List<T> list, T item, int pageSize)
    {
        int i = list.IndexOf(item);
        if (i < 0)
        {
            throw new InvalidOperationException("The target is not in the list the task searches.");
        }

        return SimWorld.PageOf(i, pageSize);
    }
}
