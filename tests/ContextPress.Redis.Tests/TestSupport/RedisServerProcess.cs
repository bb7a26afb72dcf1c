using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ContextPress.Redis.Tests.TestSupport;

/// <summary>A <c>redis-server</c> process on a free loopback port, without persistence, that a test starts and stops.</summary>
internal sealed class RedisServerProcess : IDisposable
{
    private Process? _process;
    private string? _directory;

    private RedisServerProcess(string executable, int port, bool cluster)
    {
        Executable = executable;
        Port = port;
        IsCluster = cluster;
    }

    /// <summary>Gets a value indicating whether the server is a one-node Redis Cluster owning all 16384 slots.</summary>
    public bool IsCluster { get; }

    public string Executable { get; }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Finds <c>redis-server</c> on PATH, or null.</summary>
    public static string? FindExecutable()
    {
        string? path = Environment.GetEnvironmentVariable("PATH");
        foreach (string dir in (path ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Starts a server on a free port, or returns null when redis-server is not on PATH.</summary>
    /// <param name="cluster">Start a one-node cluster (cluster mode, all slots assigned) instead of a standalone server.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<RedisServerProcess?> TryStartAsync(bool cluster = false, CancellationToken cancellationToken = default)
    {
        string? executable = FindExecutable();
        if (executable is null)
        {
            return null;
        }

        var server = new RedisServerProcess(executable, FreePort(), cluster);
        await server.StartAsync(cancellationToken).ConfigureAwait(false);
        return server;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts (or restarts) the server on <see cref="Port"/> and waits until it answers PING.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (IsRunning)
        {
            return;
        }

        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _directory ??= Directory.CreateTempSubdirectory("contextpress-redis-").FullName;
        foreach (string argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--protected-mode", "no", "--dir", _directory })
        {
            info.ArgumentList.Add(argument);
        }

        if (IsCluster)
        {
            foreach (string argument in new[] { "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf" })
            {
                info.ArgumentList.Add(argument);
            }
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (!await PingAsync(Port, cancellationToken).ConfigureAwait(false))
        {
            if (_process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new InvalidOperationException($"redis-server on port {Port} did not answer (exited: {_process.HasExited}).");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        if (IsCluster)
        {
            await CommandAsync(Port, "CLUSTER ADDSLOTSRANGE 0 16383", cancellationToken).ConfigureAwait(false);
            while (!(await CommandAsync(Port, "CLUSTER INFO", cancellationToken).ConfigureAwait(false)).Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(15))
                {
                    throw new InvalidOperationException($"The one-node cluster on port {Port} did not become ready.");
                }

                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Sends one inline command and returns the start of the reply.</summary>
    public static async Task<string> CommandAsync(int port, string command, CancellationToken cancellationToken = default)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), cancellationToken).ConfigureAwait(false);
        byte[] buffer = new byte[4096];
        int read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Encoding.ASCII.GetString(buffer, 0, read);
    }

    /// <summary>Freezes (SIGSTOP) or thaws (SIGCONT) the server: connections stay open but nothing answers, as in a hung server.</summary>
    public void Signal(bool freeze)
    {
        Process process = _process ?? throw new InvalidOperationException("The server is not running.");
        using Process kill = Process.Start("kill", [freeze ? "-STOP" : "-CONT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit(5_000);
    }

    /// <summary>Kills the server (as a crash or an outage would) and waits for it to exit.</summary>
    public void Stop()
    {
        if (_process is { HasExited: false } process)
        {
            Signal(freeze: false); // a frozen process would not handle the kill until thawed
            process.Kill();
            process.WaitForExit(10_000);
        }

        _process?.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        Stop();
        if (_directory is not null)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // best effort
            }
        }
    }

    /// <summary>True when something on 127.0.0.1:<paramref name="port"/> answers PING with PONG.</summary>
    public static async Task<bool> PingAsync(int port, CancellationToken cancellationToken = default)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(1));
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token).ConfigureAwait(false);
            NetworkStream stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token).ConfigureAwait(false);
            byte[] buffer = new byte[16];
            int read = await stream.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return false;
        }
    }
}
