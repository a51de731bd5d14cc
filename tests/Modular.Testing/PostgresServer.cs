using Npgsql;
using Xunit;

namespace Modular.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster for one test assembly: initdb into a temp directory, started with
/// pg_ctl on a free loopback port, removed afterwards. With <c>MODULAR_TEST_POSTGRES</c> set, that
/// server is used instead. Each test asks for a fresh database with <see cref="CreateDatabaseAsync"/>.
/// Register per assembly: <c>[assembly: AssemblyFixture(typeof(PostgresServer))]</c>.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string EnvironmentVariable = "MODULAR_TEST_POSTGRES";

    /// <summary>The unprivileged role the application's connections use (test-only password): it owns nothing.</summary>
    public const string AppRole = "modular_app";

    /// <summary>The role that owns every test database and runs the migrations (test-only password); not a superuser either.</summary>
    public const string OwnerRole = "modular_owner";
    private string? _clusterDirectory;
    private string? _binDirectory;
    private string? _runAs;
    private string? _unavailableReason;

    /// <summary>Connection string to the maintenance database, or null when PostgreSQL is unavailable.</summary>
    public string? AdminConnectionString { get; private set; }

    public async ValueTask InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } given)
        {
            AdminConnectionString = given;
            await CreateRolesAsync();
            return;
        }

        _binDirectory = FindBinDirectory();
        if (_binDirectory is null)
        {
            _unavailableReason = "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or under /usr/lib/postgresql/*/bin. " +
                $"Install PostgreSQL (e.g. apt-get install postgresql) or set {EnvironmentVariable} to a connection string.";
            return;
        }

        _clusterDirectory = await ServerProcess.CreateDirectoryAsync("modular-pg-");
        _runAs = ServerProcess.RunAs;
        var data = Path.Combine(_clusterDirectory, "data");
        var port = ServerProcess.FreePort();
        await ServerProcess.RunAsync(Path.Combine(_binDirectory, "initdb"), $"-D {data} -U postgres --auth=trust -E UTF8 --no-sync", _runAs);
        var serverOptions = $"-p {port} -k {_clusterDirectory} -c listen_addresses=127.0.0.1 -c fsync=off " +
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300";
        await ServerProcess.RunAsync(Path.Combine(_binDirectory, "pg_ctl"), $"-D {data} -l {Path.Combine(_clusterDirectory, "server.log")} -o \"{serverOptions}\" -w start", _runAs);
        AdminConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true;Include Error Detail=true";
        await CreateRolesAsync();
    }

    private async Task CreateRolesAsync()
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        foreach (var name in new[] { OwnerRole, AppRole })
        {
            await using var role = new NpgsqlCommand(
                $"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') THEN " +
                $"CREATE ROLE {name} LOGIN PASSWORD '{name}' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE; END IF; END $$", connection);
            await role.ExecuteNonQueryAsync();
        }
    }

    /// <summary>
    /// A new, empty database for one test: the application's connection string (its role owns nothing there;
    /// <see cref="AsOwner"/> gives the owner's, for migrations). Skips the test when PostgreSQL is missing on a
    /// developer machine, and fails it in CI (<c>CI=true</c>), where PostgreSQL tests must run.
    /// </summary>
    public async Task<string> CreateDatabaseAsync()
    {
        if (AdminConnectionString is null)
        {
            ServerProcess.Unavailable("PostgreSQL tests", _unavailableReason ?? "PostgreSQL is unavailable.");
        }

        // As in production: the owner role migrates, and the application connects as an ordinary role that owns
        // nothing and holds what the migrations grant it. A superuser, or the owner, could switch row-level security
        // off and would hide isolation bugs.
        var name = "modular_test_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name} OWNER {OwnerRole}", connection); // name is generated above, not input
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Username = AppRole, Password = AppRole }.ConnectionString;
    }

    /// <summary>
    /// The same database as its owner: what migrations connect with (<c>Database:MigrationConnectionString</c>), and
    /// tests that set data up outside the application.
    /// </summary>
    public static string AsOwner(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Username = OwnerRole, Password = OwnerRole }.ConnectionString;

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_clusterDirectory is null || _binDirectory is null)
        {
            return;
        }

        try
        {
            await ServerProcess.RunAsync(Path.Combine(_binDirectory, "pg_ctl"), $"-D {Path.Combine(_clusterDirectory, "data")} -m immediate -w stop", _runAs);
        }
        finally
        {
            Directory.Delete(_clusterDirectory, recursive: true);
        }
    }

    private static string? FindBinDirectory()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        var candidates = path.Concat(Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin"))
            : []);
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }
}
