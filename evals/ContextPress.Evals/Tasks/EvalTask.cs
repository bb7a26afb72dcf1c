using ContextPress.Evals.World;

namespace ContextPress.Evals.Tasks;

/// <summary>Where an argument of a gold step comes from.</summary>
internal enum ArgumentSource
{
    /// <summary>The agent writes it itself (a query, a page number, a subject line).</summary>
    Literal,

    /// <summary>A value the agent must copy from the context (an earlier output or the request).</summary>
    Fact,

    /// <summary>A value the agent computes from facts it must find in the context (<see cref="StepArgument.DerivedFrom"/>).</summary>
    Derived,
}

/// <summary>One argument of a gold step.</summary>
/// <param name="Essential">For a derived argument: the computed part a correct call must contain (e.g. an amount in a body).</param>
internal sealed record StepArgument(string Name, string Value, ArgumentSource Source, IReadOnlyList<string>? DerivedFrom = null, string? Essential = null)
{
    public static StepArgument Fact(string name, string value) => new(name, value, ArgumentSource.Fact);

    public static StepArgument Literal(string name, string value) => new(name, value, ArgumentSource.Literal);

    public static StepArgument Derived(string name, string value, string essential, params string[] from) => new(name, value, ArgumentSource.Derived, from, essential);
}

/// <summary>One API call of a gold plan, with the plan hint the compressor may see (never a value).</summary>
internal sealed record TaskStep(string Tool, string Hint, IReadOnlyList<StepArgument> Arguments)
{
    /// <summary>Gets the values the agent must find in its context to make this call.</summary>
    public IReadOnlyList<string> RequiredFacts { get; } = Arguments
        .SelectMany(a => a.Source switch { ArgumentSource.Fact => [a.Value], ArgumentSource.Derived => a.DerivedFrom ?? [], _ => [] })
        .Distinct(StringComparer.Ordinal).ToList();

    public IReadOnlyDictionary<string, string> ArgumentValues { get; } = Arguments.ToDictionary(a => a.Name, a => a.Value, StringComparer.Ordinal);
}

/// <summary>A task: the user's request, a gold plan, and the state changes that mean success.</summary>
internal sealed record EvalTask(string Id, string Family, string Instruction, IReadOnlyList<TaskStep> Steps)
{
    public const string SystemPrompt =
        "You are a personal assistant that completes the supervisor's request by calling the apps' APIs (mail, contacts, calendar, " +
        "payments, music, files, todo, notes, and supervisor for the profile, app passwords and payment cards). Every app needs its own " +
        "login: log in with the supervisor's e-mail as username and that app's password, then pass the returned access_token to each " +
        "call of that app. Lists are paginated: read the next page when what you need is not on the current one. Never guess an id, " +
        "e-mail address, amount or date: copy it exactly from an API response. Call one API at a time.";

    /// <summary>Gets the state-changing calls a correct run must make (what the real-LLM mode judges).</summary>
    public IReadOnlyList<TaskStep> ExpectedActions => Steps.Where(s => WorldTools.IsMutating(s.Tool)).ToList();

    /// <summary>Gets the plan hint: every step's description, no values.</summary>
    public IReadOnlyList<string> Hints => Steps.Select(s => s.Hint).ToList();
}

/// <summary>Which tools change the world.</summary>
internal static class WorldTools
{
    private static readonly HashSet<string> Mutating = new(StringComparer.Ordinal)
    {
        "mail-send_email", "contacts-update_contact", "calendar-reschedule_event", "payments-send_payment", "payments-dispute_charge",
        "music-create_playlist", "music-add_song_to_playlist", "files-share_file", "todo-create_task",
    };

    public static bool IsMutating(string tool) => Mutating.Contains(tool);

    /// <summary>Whether the world executed every expected action with the expected arguments.</summary>
    public static bool Succeeded(SimWorld world, EvalTask task) =>
        task.ExpectedActions.All(step => world.Actions.Any(a =>
            a.Api == step.Tool.Replace('-', '.') &&
            step.Arguments.Where(x => x.Source != ArgumentSource.Literal && x.Name != "access_token")
                .All(x => a.Arguments.TryGetValue(x.Name, out string? v) && (x.Source == ArgumentSource.Fact
                    ? string.Equals(v, x.Value, StringComparison.Ordinal)
                    : v.Contains(x.Essential ?? x.Value, StringComparison.Ordinal)))));
}
