using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ContextPress.Evals.World;

/// <summary>
/// A seeded, deterministic world of personal apps (AppWorld-style): a supervisor with credentials and cards, and mail,
/// contacts, calendar, payments, music, files, todo and notes apps, each behind its own login token.
/// </summary>
/// <remarks>
/// Everything derives from the seed through <see cref="SeededRandom"/>; the clock is frozen at <see cref="Now"/> and all
/// formatting is invariant, so two worlds with the same seed answer every call with the same bytes.
/// </remarks>
internal sealed partial class SimWorld
{
    public const string ApiVersion = "2025-06-01";

    public static readonly DateTimeOffset Now = new(2026, 5, 14, 9, 30, 0, TimeSpan.Zero);

    public static readonly string[] Apps = ["mail", "contacts", "calendar", "payments", "music", "files", "todo", "notes"];

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private int _requests;

    private SimWorld(int seed) => Seed = seed;

    public int Seed { get; }

    public Profile Supervisor { get; private set; } = null!;

    public Dictionary<string, string> Passwords { get; } = new(StringComparer.Ordinal);

    public List<PaymentCard> Cards { get; } = [];

    public List<Contact> Contacts { get; } = [];

    public List<Email> Emails { get; } = [];

    public List<CalendarEvent> Events { get; } = [];

    public List<Transaction> Transactions { get; } = [];

    public List<Song> Songs { get; } = [];

    public List<Playlist> Playlists { get; } = [];

    public List<FileEntry> Files { get; } = [];

    public List<TodoItem> Todos { get; } = [];

    public List<Note> Notes { get; } = [];

    /// <summary>Gets the state-changing calls executed so far, in order.</summary>
    public List<WorldAction> Actions { get; } = [];

    /// <summary>Creates the world of <paramref name="seed"/>.</summary>
    public static SimWorld Create(int seed)
    {
        var world = new SimWorld(seed);
        WorldGenerator.Populate(world, SeededRandom.For(seed, "world"));
        return world;
    }

    internal void SetSupervisor(Profile profile) => Supervisor = profile;

    /// <summary>The access token a successful login to <paramref name="app"/> returns (deterministic per seed and app).</summary>
    public string TokenFor(string app) => $"{app[..2]}_tok_{Hash($"{Seed}/{app}/token", 20)}";

    /// <summary>A deterministic id for an entity created from <paramref name="parts"/>.</summary>
    public static string IdFor(string prefix, params string[] parts) => $"{prefix}_{Hash(string.Join('|', parts), 8)}";

    public static string Hash(string text, int length)
    {
        byte[] digest = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return Convert.ToHexStringLower(digest)[..length];
    }

    public static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

    public static string Stamp(DateTimeOffset time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Checks a login; returns the token or null.</summary>
    public string? Login(string app, string username, string password) =>
        string.Equals(username, Supervisor.Email, StringComparison.OrdinalIgnoreCase) && Passwords.TryGetValue(app, out string? expected) && expected == password
            ? TokenFor(app)
            : null;

    public bool Authorized(string app, string? token) => string.Equals(token, TokenFor(app), StringComparison.Ordinal);

    /// <summary>Wraps <paramref name="data"/> in the gateway envelope every API answers with.</summary>
    public string Respond(string api, object data, PageInfo? page = null)
    {
        _requests++;
        var envelope = new Dictionary<string, object?>
        {
            ["request_id"] = $"req_{Hash($"{Seed}/{_requests}/{api}", 16)}",
            ["api"] = api,
            ["api_version"] = ApiVersion,
            ["server_time"] = Stamp(Now),
            ["status"] = "success",
            ["data"] = data,
        };
        if (page is not null)
        {
            envelope["pagination"] = page;
        }

        envelope["meta"] = new Dictionary<string, object>
        {
            ["region"] = "eu-west-2",
            ["rate_limit_remaining"] = 1000 - _requests,
            ["trace_id"] = Hash($"{Seed}/{_requests}/trace", 32),
            ["notice"] = Prose.ApiNotice,
        };
        return JsonSerializer.Serialize(envelope, JsonOptions);
    }

    public string Error(string api, int code, string message)
    {
        _requests++;
        return JsonSerializer.Serialize(
            new Dictionary<string, object>
            {
                ["request_id"] = $"req_{Hash($"{Seed}/{_requests}/{api}", 16)}",
                ["api"] = api,
                ["status"] = "error",
                ["error"] = new Dictionary<string, object> { ["code"] = code, ["message"] = message },
            },
            JsonOptions);
    }

    public void Record(string api, params (string Name, string Value)[] arguments) =>
        Actions.Add(new WorldAction(api, arguments.ToDictionary(a => a.Name, a => a.Value, StringComparer.Ordinal)));

    /// <summary>Pages <paramref name="items"/> (1-based pages).</summary>
    public static (IReadOnlyList<T> Items, PageInfo Info) Paginate<T>(IReadOnlyList<T> items, int page, int pageSize)
    {
        int totalPages = Math.Max(1, (items.Count + pageSize - 1) / pageSize);
        page = Math.Clamp(page, 1, totalPages);
        List<T> slice = items.Skip((page - 1) * pageSize).Take(pageSize).ToList();
        return (slice, new PageInfo(page, pageSize, items.Count, totalPages, page < totalPages ? page + 1 : null));
    }

    public static bool Matches(string? query, params string[] fields) =>
        string.IsNullOrWhiteSpace(query) || fields.Any(f => f.Contains(query.Trim(), StringComparison.OrdinalIgnoreCase));

    // Queries shared by the APIs and the task generators (which must know on which page an answer lands).
    public List<Contact> SearchContacts(string? query) =>
        Contacts.Where(c => Matches(query, c.FirstName + " " + c.LastName, c.Email, c.Company, c.City)).ToList();

    public List<Email> SearchEmails(string? query) =>
        Emails.Where(e => Matches(query, e.Subject, e.SenderName, e.Sender, e.Body)).OrderByDescending(e => e.SentAt, StringComparer.Ordinal).ToList();

    public List<CalendarEvent> SearchEvents(string? query) =>
        Events.Where(e => Matches(query, e.Title, e.Location, e.Description)).OrderBy(e => e.StartsAt, StringComparer.Ordinal).ToList();

    public List<Transaction> SearchTransactions(string? query) =>
        Transactions.Where(t => Matches(query, t.Counterparty, t.CounterpartyEmail, t.Note)).OrderByDescending(t => t.CreatedAt, StringComparer.Ordinal).ToList();

    public List<Song> SearchSongs(string? query) =>
        Songs.Where(s => Matches(query, s.Title, s.Artist, s.Album, s.Genre)).OrderBy(s => s.SongId, StringComparer.Ordinal).ToList();

    public List<FileEntry> ListDirectory(string path) =>
        Files.Where(f => f.Path.StartsWith(path.TrimEnd('/') + "/", StringComparison.Ordinal)).OrderBy(f => f.Path, StringComparer.Ordinal).ToList();

    public List<TodoItem> ListTodos(string? listName) =>
        Todos.Where(t => listName is null || string.Equals(t.ListName, listName, StringComparison.OrdinalIgnoreCase)).OrderBy(t => t.DueOn, StringComparer.Ordinal).ThenBy(t => t.TaskId, StringComparer.Ordinal).ToList();

    public List<Note> SearchNotes(string? query) =>
        Notes.Where(n => Matches(query, n.Title, string.Join(' ', n.Tags), n.Body)).OrderByDescending(n => n.UpdatedAt, StringComparer.Ordinal).ToList();

    public const int ContactsPageSize = 12;
    public const int EmailsPageSize = 10;
    public const int EventsPageSize = 10;
    public const int TransactionsPageSize = 15;
    public const int SongsPageSize = 10;
    public const int FilesPageSize = 10;
    public const int TodosPageSize = 10;
    public const int NotesPageSize = 5;

    public static int PageOf(int index, int pageSize) => (index / pageSize) + 1;
}
