using Npgsql;

namespace Modular.Kernel.Persistence;

public enum DatabaseProvider
{
    /// <summary>Embedded default: one file per module, nothing to install.</summary>
    Sqlite,

    /// <summary>Production store: one schema per module in one database.</summary>
    Postgres,
}

/// <summary>The <c>Database</c> configuration section.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>The placeholder a SQLite connection string carries for the module's file name.</summary>
    public const string ModulePlaceholder = "{module}";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>
    /// Npgsql connection string, or for SQLite one with <c>{module}</c> in the file name
    /// (<c>Data Source=data/modular-{module}.db</c>): SQLite has no schemas, so each module gets its file.
    /// </summary>
    public string ConnectionString { get; set; } = "Data Source=data/modular-{module}.db";

    /// <summary>
    /// What migrations connect with (<c>--migrate</c>, <see cref="MigrateOnStartup"/>): on PostgreSQL, the role that owns
    /// the module schemas, so that the role in <see cref="ConnectionString"/> owns nothing and gets only the privileges
    /// the migrations grant it (docs/adr/0005). Unset: <see cref="ConnectionString"/>, one role for both.
    /// </summary>
    public string? MigrationConnectionString { get; set; }

    /// <summary>
    /// PostgreSQL: a connection straight to the server, for what needs a session of its own — <c>LISTEN</c> for other
    /// instances' notifications, and the locks that let one instance run a job (<see cref="ExclusiveWork"/>). Set it
    /// when <see cref="ConnectionString"/> goes through a pooler in transaction mode (PgBouncer; docs/adr/0020), which
    /// keeps no session. Unset: <see cref="ConnectionString"/>.
    /// </summary>
    public string? DirectConnectionString { get; set; }

    /// <summary>Apply pending migrations when the host starts (Development); otherwise run the host with <c>--migrate</c>.</summary>
    public bool MigrateOnStartup { get; set; }

    /// <summary>
    /// PostgreSQL: how often an operation that hit a transient failure (a dropped connection, a restart, a
    /// serialization failure, a deadlock) is retried before the request gets 503; 0 turns retries off.
    /// </summary>
    public int MaxRetryCount { get; set; } = 3;

    /// <summary>The longest wait between two retries (they back off exponentially from an immediate first one).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The connection string a given module's context uses.</summary>
    public string ConnectionStringFor(string schema) => For(ConnectionString, "ConnectionString", schema);

    /// <summary>The connection string a given module's migrations use.</summary>
    public string MigrationConnectionStringFor(string schema) => string.IsNullOrEmpty(MigrationConnectionString)
        ? ConnectionStringFor(schema)
        : For(MigrationConnectionString, "MigrationConnectionString", schema);

    /// <summary>
    /// An unpooled connection string to <see cref="DirectConnectionString"/>: a long-lived or locking session ends when it
    /// is closed, instead of going back to a pool with its state.
    /// </summary>
    public string DirectSessionConnectionString() =>
        new NpgsqlConnectionStringBuilder(string.IsNullOrEmpty(DirectConnectionString) ? ConnectionString : DirectConnectionString)
        {
            Pooling = false,
            KeepAlive = 30,
        }.ConnectionString;

    private string For(string connectionString, string key, string schema)
    {
        if (Provider == DatabaseProvider.Postgres)
        {
            return connectionString;
        }

        if (!connectionString.Contains(ModulePlaceholder, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"Database:{key} for SQLite must contain '{ModulePlaceholder}' (e.g. 'Data Source=data/modular-{ModulePlaceholder}.db'): each module keeps its own file.");
        }

        return connectionString.Replace(ModulePlaceholder, schema, StringComparison.Ordinal);
    }
}
