using System.ComponentModel;
using Microsoft.SemanticKernel;

namespace ContextPress.Evals.World.Apps;

/// <summary>The supervisor (the user the agent works for): profile, app passwords and payment cards.</summary>
internal sealed class SupervisorApp(SimWorld world)
{
    [KernelFunction("show_profile"), Description("Shows the supervisor's profile: name, e-mail (the username of every app), phone, address.")]
    public string ShowProfile() => world.Respond("supervisor.show_profile", world.Supervisor);

    [KernelFunction("show_account_passwords"), Description("Lists the supervisor's password for each app.")]
    public string ShowAccountPasswords() =>
        world.Respond("supervisor.show_account_passwords", world.Passwords.Select(p => new { account_name = p.Key, password = p.Value, last_changed = "2026-01-04", strength = "strong" }).ToList());

    [KernelFunction("show_payment_cards"), Description("Lists the supervisor's payment cards with their ids.")]
    public string ShowPaymentCards() => world.Respond("supervisor.show_payment_cards", world.Cards);
}
