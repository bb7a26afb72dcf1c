using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ContextPress.Benchmarks.History;

/// <summary>One argument of a simulated call, with where its value comes from.</summary>
/// <param name="Name">The parameter name.</param>
/// <param name="Value">The JSON value.</param>
/// <param name="Origin">Where the value comes from.</param>
/// <param name="SourceStep">The step whose result holds it (for <see cref="ValueOrigin.Tool"/>), else -1.</param>
internal sealed record CallArg(string Name, JsonNode? Value, ValueOrigin Origin, int SourceStep);

/// <summary>One simulated tool step: the call, the result and bookkeeping.</summary>
internal sealed record TrajectoryStep(
    string Function,
    IReadOnlyList<CallArg> Args,
    string Result,
    string Thought,
    int PlanIndex,
    bool Huge);

/// <summary>What kind of huge observation a trajectory gets.</summary>
internal enum HugeMode
{
    None,
    Irrelevant,
    Relevant,
}

/// <summary>Builds the steps of one simulated task, inserting filler steps (browsing, docs) between the core ones.</summary>
internal sealed class TrajectoryBuilder
{
    /// <summary>Tool results and arguments are compact JSON, as JSON.stringify and most tool runtimes send them.</summary>
    public static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly string[] Apps = ["amazon", "venmo", "spotify", "gmail", "splitwise", "file_system", "phone", "simple_note", "todoist"];

    private readonly Dictionary<string, (string Token, int Step)> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _passwords = new(StringComparer.Ordinal);
    private int[] _fillersBeforeCore = [];
    private int _coreIndex;
    private int _passwordsStep = -1;
    private int _profileStep = -1;

    public TrajectoryBuilder(WorldData world, HugeMode huge)
    {
        World = world;
        Huge = huge;
        FirstName = world.FirstName();
        LastName = world.LastName();
        Email = world.Email(FirstName, LastName);
        Phone = world.Phone();
        foreach (string app in Apps)
        {
            _passwords[app] = world.Password();
        }
    }

    public WorldData World { get; }

    public HugeMode Huge { get; }

    public string FirstName { get; }

    public string LastName { get; }

    public string Email { get; }

    public string Phone { get; }

    public List<TrajectoryStep> Steps { get; } = [];

    public List<string> PlanSteps { get; } = [];

    public string UserRequest { get; set; } = string.Empty;

    public string Scenario { get; set; } = string.Empty;

    /// <summary>Gets the step index of the huge observation, -1 when none.</summary>
    public int HugeStep { get; private set; } = -1;

    /// <summary>Gets the huge observation's tokens.</summary>
    public int HugeTokens { get; private set; }

    /// <summary>Declares how many core steps follow and spreads the filler steps between them (6 to 14 steps in all).</summary>
    public void Begin(int coreSteps)
    {
        int total = Math.Max(coreSteps, World.Int(6, 15));
        int fillers = total - coreSteps;
        _fillersBeforeCore = new int[coreSteps];
        for (int i = 0; i < fillers; i++)
        {
            _fillersBeforeCore[World.Int(1, coreSteps)]++;
        }
    }

    public static CallArg Trivial(string name, JsonNode? value) => new(name, value, ValueOrigin.Trivial, -1);

    public static CallArg FromUser(string name, JsonNode value) => new(name, value, ValueOrigin.User, -1);

    public static CallArg FromTool(string name, JsonNode value, int step) => new(name, value, ValueOrigin.Tool, step);

    public static CallArg Composed(string name, string value) => new(name, value, ValueOrigin.Composed, -1);

    public CallArg Token(string app) => FromTool("access_token", _tokens[app].Token, _tokens[app].Step);

    /// <summary>Adds a core step (after its filler steps) and returns its index.</summary>
    public int Core(string function, CallArg[] args, JsonNode result, string thought, string plan, bool huge = false)
    {
        int fillers = _coreIndex < _fillersBeforeCore.Length ? _fillersBeforeCore[_coreIndex] : 0;
        bool hugeHere = Huge == HugeMode.Irrelevant && HugeStep < 0 && _coreIndex >= 2 && _coreIndex <= 4 && (_coreIndex == 4 || World.Chance(0.4));
        for (int i = 0; i < fillers; i++)
        {
            Filler();
        }

        if (hugeHere)
        {
            HugeFiller();
        }

        _coreIndex++;
        PlanSteps.Add(plan);
        return Add(function, args, result, thought, PlanSteps.Count - 1, huge);
    }

    /// <summary>Adds a step without plan line or fillers (used for the sized latency filler).</summary>
    public int Add(string function, CallArg[] args, JsonNode result, string thought, int planIndex, bool huge)
    {
        string text = result.ToJsonString(Compact);
        Steps.Add(new TrajectoryStep(function, args, text, thought, planIndex, huge));
        if (huge)
        {
            HugeStep = Steps.Count - 1;
            HugeTokens = HistoryTokens.Counter.CountTokens(text);
        }

        return Steps.Count - 1;
    }

    public static string ArgumentsJson(IReadOnlyList<CallArg> args)
    {
        var json = new JsonObject();
        foreach (CallArg arg in args)
        {
            json[arg.Name] = arg.Value?.DeepClone();
        }

        return json.ToJsonString(Compact);
    }

    /// <summary>The standard API envelope around a result.</summary>
    public JsonObject Envelope(JsonNode data, int? page = null, int pageSize = 0, int total = 0)
    {
        var envelope = new JsonObject
        {
            ["request_id"] = World.RequestId(),
            ["status"] = "success",
            ["api_version"] = "v2." + World.Int(1, 9).ToString(CultureInfo.InvariantCulture),
        };
        if (page is not null)
        {
            envelope["pagination"] = new JsonObject
            {
                ["page"] = page.Value,
                ["page_size"] = pageSize,
                ["total"] = total,
                ["has_more"] = (page.Value + 1) * pageSize < total,
                ["next_page_token"] = total > (page.Value + 1) * pageSize ? World.Alphanumeric(24) : null,
            };
        }

        envelope["metadata"] = new JsonObject
        {
            ["served_by"] = World.Pick(["us-east-2a", "us-east-2b", "us-west-1c", "eu-central-1a"]),
            ["latency_ms"] = World.Int(40, 900),
            ["generated_at"] = WorldData.Iso(WorldData.Epoch.AddDays(200).AddSeconds(World.Int(0, 86_400))),
            ["trace_id"] = World.Uuid(),
            ["rate_limit"] = new JsonObject { ["limit"] = 1000, ["remaining"] = World.Int(100, 999), ["window_seconds"] = 3600 },
            ["deprecation_notice"] = World.Chance(0.3) ? World.Prose(12, 20) : null,
        };
        envelope["data"] = data;
        return envelope;
    }

    /// <summary>supervisor__show_profile: the user's e-mail and other details.</summary>
    public int Profile()
    {
        (string street, string city, string state, string zip) = World.Address();
        var profile = new JsonObject
        {
            ["first_name"] = FirstName,
            ["last_name"] = LastName,
            ["email"] = Email,
            ["phone_number"] = Phone,
            ["birthday"] = WorldData.Day(new DateTime(World.Int(1960, 2002), World.Int(1, 13), World.Int(1, 28), 0, 0, 0, DateTimeKind.Utc)),
            ["sex"] = World.Pick(["female", "male"]),
            ["home_address"] = $"{street}, {city}, {state} {zip}",
            ["registered_at"] = WorldData.Iso(World.Date(60).AddYears(-3)),
            ["preferences"] = new JsonObject { ["language"] = "en-US", ["timezone"] = "America/Los_Angeles", ["marketing_emails"] = false },
        };
        _profileStep = Core("supervisor__show_profile", [], Envelope(profile), "I need the supervisor's account e-mail first.", "Look up the supervisor's profile");
        return _profileStep;
    }

    /// <summary>supervisor__show_account_passwords.</summary>
    public int Passwords()
    {
        var list = new JsonArray();
        foreach (string app in Apps)
        {
            list.Add(new JsonObject { ["account_name"] = app, ["password"] = _passwords[app], ["last_changed"] = WorldData.Day(World.Date(150)) });
        }

        _passwordsStep = Core("supervisor__show_account_passwords", [], Envelope(list), "Let me get the account passwords.", "Get the supervisor's account passwords");
        return _passwordsStep;
    }

    /// <summary>{app}__login with the e-mail from the profile and the password from the password list.</summary>
    public int Login(string app, string title)
    {
        string token = World.AccessToken();
        var result = new JsonObject
        {
            ["access_token"] = token,
            ["token_type"] = "Bearer",
            ["expires_at"] = WorldData.Iso(WorldData.Epoch.AddDays(201)),
            ["scope"] = "read write",
            ["account"] = new JsonObject { ["username"] = Email, ["account_id"] = World.Int(10_000, 99_999) },
        };
        int step = Core(
            $"{app}__login",
            [FromTool("username", Email, _profileStep), FromTool("password", _passwords[app], _passwordsStep)],
            Envelope(result),
            $"Now I can log in to {title}.",
            $"Log in to {title}");
        _tokens[app] = (token, step);
        return step;
    }

    /// <summary>supervisor__show_payment_cards.</summary>
    public (int Step, int CardId, string CardName) PaymentCards(bool core)
    {
        string[] names = ["Chase Sapphire", "Amex Gold", "Citi Double Cash", "Discover It", "Capital One Venture", "Wells Fargo Active"];
        var cards = new JsonArray();
        int count = World.Int(3, 6);
        int target = World.Int(0, count);
        int targetId = 0;
        string targetName = string.Empty;
        var used = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            string name = World.Pick(names);
            while (!used.Add(name))
            {
                name = World.Pick(names);
            }

            int id = World.Int(1000, 9999);
            if (i == target)
            {
                targetId = id;
                targetName = name;
            }

            cards.Add(new JsonObject
            {
                ["payment_card_id"] = id,
                ["card_name"] = name,
                ["owner_name"] = $"{FirstName} {LastName}",
                ["card_number"] = World.Alphanumeric(16, "0123456789"),
                ["expiry_year"] = World.Int(2025, 2031),
                ["expiry_month"] = World.Int(1, 13),
                ["cvv_number"] = World.Alphanumeric(3, "0123456789"),
            });
        }

        JsonObject envelope = Envelope(cards);
        int step = core
            ? Core("supervisor__show_payment_cards", [], envelope, "I need the payment card ids.", "Find the supervisor's payment card")
            : Add("supervisor__show_payment_cards", [], envelope, "Let me check the payment cards on file.", -1, false);
        return (step, targetId, targetName);
    }

    private void Filler()
    {
        List<string> loggedIn = [.. _tokens.Keys];
        int choice = World.Int(0, 3 + (loggedIn.Count > 0 ? 4 : 0));
        switch (choice)
        {
            case 0:
                PaymentCards(core: false);
                break;
            case 1:
                Addresses();
                break;
            case 2:
                ApiDoc();
                break;
            default:
                AppListing(World.Pick(loggedIn));
                break;
        }
    }

    private void Addresses()
    {
        var list = new JsonArray();
        int count = World.Int(3, 7);
        for (int i = 0; i < count; i++)
        {
            (string street, string city, string state, string zip) = World.Address();
            list.Add(new JsonObject
            {
                ["address_id"] = World.Int(10_000, 99_999),
                ["name"] = World.Pick(["Home", "Work", "Parents", "Gym", "Cabin", "Studio"]),
                ["street_address"] = street,
                ["city"] = city,
                ["state"] = state,
                ["zip_code"] = zip,
                ["country"] = "United States",
            });
        }

        Add("supervisor__show_addresses", [], Envelope(list), "Let me look at the saved addresses.", -1, false);
    }

    private void ApiDoc()
    {
        string app = World.Pick(Apps);
        string api = World.Pick(["show_account", "search_items", "update_settings", "show_notifications", "delete_item", "export_data"]);
        var parameters = new JsonArray();
        int count = World.Int(4, 9);
        for (int i = 0; i < count; i++)
        {
            parameters.Add(new JsonObject
            {
                ["name"] = World.Pick(["access_token", "page_index", "page_size", "query", "sort_by", "item_id", "include_archived", "start_date", "end_date"]) + (i > 5 ? "_" + i.ToString(CultureInfo.InvariantCulture) : string.Empty),
                ["type"] = World.Pick(["string", "integer", "boolean", "number"]),
                ["required"] = World.Chance(0.4),
                ["description"] = World.Prose(12, 28),
                ["default"] = World.Chance(0.5) ? JsonValue.Create(World.Int(0, 20)) : null,
            });
        }

        var doc = new JsonObject
        {
            ["app_name"] = app,
            ["api_name"] = api,
            ["path"] = $"/{app}/{api.Replace('_', '-')}",
            ["method"] = World.Pick(["GET", "POST", "PATCH", "DELETE"]),
            ["description"] = World.Prose(30, 60),
            ["parameters"] = parameters,
            ["response_schemas"] = new JsonObject
            {
                ["success"] = new JsonObject { ["items"] = new JsonArray("id", "created_at", "updated_at"), ["pagination"] = "object" },
                ["failure"] = new JsonObject { ["message"] = "string", ["code"] = "integer" },
            },
        };
        Add("api_docs__show_api_doc", [Trivial("app_name", app), Trivial("api_name", api)], Envelope(doc), $"Let me check the {app} API documentation.", -1, false);
    }

    /// <summary>A listing in an app already logged in: transactions, wish list, recommendations, messages...</summary>
    private void AppListing(string app)
    {
        int count = World.Int(20, 31);
        var list = new JsonArray();
        string function = app switch
        {
            "amazon" => "amazon__show_wish_list",
            "venmo" => "venmo__show_transactions",
            "spotify" => "spotify__show_recommendations",
            "gmail" => "gmail__show_outbox_threads",
            "splitwise" => "splitwise__show_friends",
            "file_system" => "file_system__show_directory",
            "phone" => "phone__show_text_messages",
            _ => $"{app}__show_recent_items",
        };
        for (int i = 0; i < count; i++)
        {
            string first = World.FirstName();
            string last = World.LastName();
            var record = new JsonObject
            {
                ["id"] = World.Int(100_000, 999_999),
                ["uuid"] = World.Uuid(),
                ["created_at"] = WorldData.Iso(World.Date(180)),
            };
            switch (app)
            {
                case "amazon":
                    (string name, string code) = World.Product();
                    record["product_id"] = code;
                    record["name"] = name;
                    record["price"] = World.Amount(8, 400);
                    record["in_stock"] = World.Chance(0.8);
                    break;
                case "venmo":
                case "splitwise":
                    record["counterparty_email"] = World.Email(first, last);
                    record["amount"] = World.Amount(3, 300);
                    record["note"] = World.Chance(0.3) ? World.Prose(8, 20) : World.Pick(["rent", "dinner", "groceries", "tickets", "gas"]);
                    break;
                case "spotify":
                    record["title"] = World.SongTitle();
                    record["artist"] = World.Artist();
                    record["play_count"] = World.Int(1000, 900_000);
                    break;
                default:
                    record["from"] = World.Email(first, last);
                    record["subject"] = World.Prose(5, 9);
                    record["preview"] = World.Chance(0.2) ? World.Prose(30, 60) : World.Prose(8, 14);
                    break;
            }

            list.Add(record);
        }

        CallArg[] args = [Token(app), Trivial("page_index", 0), Trivial("page_size", count)];
        Add(function, args, Envelope(list, 0, count, count + World.Int(0, 200)), "Let me look around in the app first.", -1, false);
    }

    /// <summary>A huge irrelevant observation: the supervisor's activity log (6k to 10k tokens).</summary>
    private void HugeFiller()
    {
        int target = World.Int(6000, 10_001);
        Add("supervisor__show_activity_log", [Trivial("days", 90)], ActivityLog(target), "Let me review the recent account activity.", -1, true);
    }

    /// <summary>An activity log of about <paramref name="targetTokens"/> tokens.</summary>
    public JsonObject ActivityLog(int targetTokens)
    {
        var events = new JsonArray();
        JsonObject envelope = Envelope(events, 0, 0, 0);
        int tokens = HistoryTokens.Counter.CountTokens(envelope.ToJsonString(Compact));
        while (tokens < targetTokens)
        {
            var entry = new JsonObject
            {
                ["event_id"] = World.Uuid(),
                ["app"] = World.Pick(Apps),
                ["action"] = World.Pick(["login", "view", "update", "export", "logout", "password_check", "sync"]),
                ["at"] = WorldData.Iso(World.Date(200)),
                ["ip_address"] = string.Create(CultureInfo.InvariantCulture, $"10.{World.Int(0, 255)}.{World.Int(0, 255)}.{World.Int(1, 255)}"),
                ["device"] = World.Pick(["iPhone 15", "Pixel 8", "MacBook Pro", "Windows PC", "iPad Air"]),
                ["details"] = World.Prose(10, 25),
            };
            int entryTokens = HistoryTokens.Counter.CountTokens(entry.ToJsonString(Compact)) + 1;
            if (tokens + entryTokens > targetTokens + 40)
            {
                break;
            }

            events.Add(entry);
            tokens += entryTokens;
        }

        ((JsonObject)envelope["pagination"]!)["page_size"] = events.Count;
        ((JsonObject)envelope["pagination"]!)["total"] = events.Count;
        return envelope;
    }
}
