using System.Diagnostics;
using Npgsql;

namespace Modular.Testing;

/// <summary>
/// A real PgBouncer (Debian's <c>pgbouncer</c>) in <b>transaction</b> pooling mode in front of the tests' PostgreSQL, as
/// most managed PostgreSQL offerings pool: consecutive transactions of one client may run on different server
/// connections, and nothing a session sets survives its transaction. The pool is small on purpose (4 server connections
/// per database and role), so clients share server connections all the time. Any database of the server is reachable
/// through it. Start one per test class with <see cref="StartAsync"/>; without pgbouncer the test is skipped, and fails
/// under <c>CI=true</c>.
/// </summary>
public sealed class PgBouncerServer : IAsyncDisposable
{
    public const int PoolSize = 4;

    private readonly Process _process;
    private readonly string _directory;
    private readonly int _port;

    private PgBouncerServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        _port = port;
    }

    public static async Task<PgBouncerServer> StartAsync(PostgresServer postgres)
    {
        var program = ServerProcess.Find("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer");
        if (program is null)
        {
            ServerProcess.Unavailable("the PgBouncer tests", "pgbouncer was not found: install it (apt-get install pgbouncer).");
        }

        var server = new NpgsqlConnectionStringBuilder(postgres.AdminConnectionString ?? await postgres.CreateDatabaseAsync());
        var directory = await ServerProcess.CreateDirectoryAsync("modular-pgbouncer-");
        var port = ServerProcess.FreePort();
        var users = Path.Combine(directory, "users.txt");
        await File.WriteAllTextAsync(users, string.Join('\n',
            new[] { PostgresServer.AppRole, PostgresServer.OwnerRole }.Select(role => $"\"{role}\" \"{role}\"")) + "\n");
        var ini = Path.Combine(directory, "pgbouncer.ini");
        await File.WriteAllTextAsync(ini, $"""
            [databases]
            * = host={server.Host} port={server.Port}

            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = {port}
            unix_socket_dir =
            auth_type = trust
            auth_file = {users}
            pool_mode = transaction
            default_pool_size = {PoolSize}
            max_client_conn = 1000
            ignore_startup_parameters = extra_float_digits
            pidfile = {Path.Combine(directory, "pgbouncer.pid")}

            """);
        if (ServerProcess.RunAs is not null)
        {
            await ServerProcess.RunAsync("chown", $"-R {ServerProcess.RunAs} {directory}", asUser: null);
        }

        var process = await ServerProcess.StartAsync(program!, ini, ServerProcess.RunAs, port, Path.Combine(directory, "pgbouncer.log"));
        return new PgBouncerServer(process, directory, port);
    }

    /// <summary>
    /// <paramref name="connectionString"/> (to the tests' PostgreSQL) through this PgBouncer, with what Npgsql needs
    /// there: no reset of a pooled connection's session, which PgBouncer already shares out per transaction.
    /// </summary>
    public string Through(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = _port, NoResetOnClose = true }.ConnectionString;

    public async ValueTask DisposeAsync()
    {
        await ServerProcess.StopAsync(_process);
        Directory.Delete(_directory, recursive: true);
    }
}
