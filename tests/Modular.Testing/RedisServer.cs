using System.Diagnostics;

namespace Modular.Testing;

/// <summary>
/// A real Redis (Debian's <c>redis-server</c>) on a free loopback port, keeping nothing on disk. Start one per test with
/// <see cref="StartAsync"/>, so no two tests share keys; <see cref="StopAsync"/> takes it away mid-test (an outage).
/// Without redis-server the test is skipped, and fails under <c>CI=true</c>.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _directory;
    private Process? _process;

    private RedisServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        ConnectionString = $"127.0.0.1:{port}";
    }

    /// <summary>What <c>Redis:ConnectionString</c> is set to.</summary>
    public string ConnectionString { get; }

    public static async Task<RedisServer> StartAsync()
    {
        var program = ServerProcess.Find("/usr/bin/redis-server", "/usr/local/bin/redis-server");
        if (program is null)
        {
            ServerProcess.Unavailable("the Redis tests", "redis-server was not found: install it (apt-get install redis-server).");
        }

        var directory = await ServerProcess.CreateDirectoryAsync("modular-redis-");
        var port = ServerProcess.FreePort();
        var process = await ServerProcess.StartAsync(
            program!, $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no --dir {directory}", ServerProcess.RunAs, port, Path.Combine(directory, "redis.log"));
        return new RedisServer(process, directory, port);
    }

    /// <summary>Kills the server: what a Redis outage looks like to the hosts.</summary>
    public async Task StopAsync()
    {
        await ServerProcess.StopAsync(_process);
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
