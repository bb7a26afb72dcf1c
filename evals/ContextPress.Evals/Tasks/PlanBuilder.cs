using System.Globalization;
using ContextPress.Evals.World;

namespace ContextPress.Evals.Tasks;

/// <summary>Builds a gold plan step by step with the usual AppWorld preamble (profile, passwords, per-app logins).</summary>
internal sealed class PlanBuilder(SimWorld world)
{
    private readonly List<TaskStep> _steps = [];

    public IReadOnlyList<TaskStep> Steps => _steps;

    public PlanBuilder Add(string tool, string hint, params StepArgument[] arguments)
    {
        _steps.Add(new TaskStep(tool, hint, arguments));
        return this;
    }

    public PlanBuilder Start(bool cards = false)
    {
        Add("supervisor-show_profile", "Look up the supervisor's profile (e-mail for app logins).");
        Add("supervisor-show_account_passwords", "Look up the supervisor's app passwords.");
        return cards ? Add("supervisor-show_payment_cards", "Look up the supervisor's payment cards and their ids.") : this;
    }

    public PlanBuilder Login(string app) =>
        Add($"{app}-login", $"Log in to the {app} app with the supervisor's e-mail and the {app} password.",
            StepArgument.Fact("username", world.Supervisor.Email), StepArgument.Fact("password", world.Passwords[app]));

    public StepArgument Token(string app) => StepArgument.Fact("access_token", world.TokenFor(app));

    /// <summary>Reads pages 1..<paramref name="lastPage"/> of a list API.</summary>
    public PlanBuilder Pages(string tool, string hint, string app, string queryName, string query, int lastPage)
    {
        for (int page = 1; page <= lastPage; page++)
        {
            Add(tool, page == 1 ? hint : hint + " (next page)", Token(app), StepArgument.Literal(queryName, query), StepArgument.Literal("page", page.ToString(CultureInfo.InvariantCulture)));
        }

        return this;
    }
}
