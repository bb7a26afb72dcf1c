namespace ContextPress.Redis.Tests.TestSupport;

/// <summary>
/// The Redis server the tests share: <c>CONTEXTPRESS_REDIS</c> (for example <c>127.0.0.1:6390</c>) when set, else a
/// <c>redis-server</c> this test process starts on a free port (and kills on exit), else the test is skipped.
/// </summary>
internal static class SharedRedis
{
    public const string EnvironmentVariable = "CONTEXTPRESS_REDIS";

    private static readonly SemaphoreSlim s_gate = new(1, 1);
    private static string? s_endpoint;
    private static RedisServerProcess? s_own;

    /// <summary>Returns the endpoint of the shared server, or skips the test with the reason.</summary>
    public static async Task<string> RequireEndpointAsync()
    {
        string? configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        await s_gate.WaitAsync(TestContext.Current.CancellationToken).ConfigureAwait(false);
        try
        {
            if (s_endpoint is null)
            {
                s_own = await RedisServerProcess.TryStartAsync(cancellationToken: TestContext.Current.CancellationToken).ConfigureAwait(false);
                if (s_own is null)
                {
                    Assert.Skip($"No Redis: set {EnvironmentVariable}=host:port or put redis-server on PATH (apt-get install redis-server).");
                }

                AppDomain.CurrentDomain.ProcessExit += (_, _) => s_own?.Dispose();
                s_endpoint = s_own!.Endpoint;
            }

            return s_endpoint;
        }
        finally
        {
            s_gate.Release();
        }
    }

    /// <summary>Starts a private server this test may stop and restart, or skips when redis-server is not on PATH.</summary>
    public static async Task<RedisServerProcess> StartPrivateServerAsync(bool cluster = false)
    {
        RedisServerProcess? server = await RedisServerProcess.TryStartAsync(cluster, TestContext.Current.CancellationToken).ConfigureAwait(false);
        if (server is null)
        {
            Assert.Skip("This test stops and restarts its own Redis: put redis-server on PATH (apt-get install redis-server).");
        }

        return server!;
    }

    /// <summary>A namespace no other test (or earlier run against the same server) uses.</summary>
    public static string UniqueNamespace(string name) => $"test-{name}-{Guid.NewGuid():N}";
}
