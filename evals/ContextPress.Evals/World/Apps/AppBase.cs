namespace ContextPress.Evals.World.Apps;

/// <summary>Shared login and authorization of one app.</summary>
internal abstract class AppBase(SimWorld world, string app)
{
    protected SimWorld World { get; } = world;

    protected string App { get; } = app;

    protected string DoLogin(string username, string password) =>
        World.Login(App, username, password) is { } token
            ? World.Respond($"{App}.login", new { access_token = token, token_type = "Bearer", expires_at = SimWorld.Stamp(SimWorld.Now.AddHours(12)), scopes = new[] { "read", "write" } })
            : World.Error($"{App}.login", 401, "Invalid username or password.");

    protected string? Unauthorized(string api, string accessToken) =>
        World.Authorized(App, accessToken) ? null : World.Error($"{App}.{api}", 401, "Missing or invalid access token; log in to this app first.");
}
