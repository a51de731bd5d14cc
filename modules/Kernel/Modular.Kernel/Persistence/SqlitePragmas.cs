using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Modular.Kernel.Persistence;

/// <summary>
/// SQLite as a server's store: write-ahead logging (readers never wait for the writer, and a commit is
/// an append) with <c>synchronous=NORMAL</c> (durable across a process crash; the last commits can be
/// lost only to a power cut). A writer that finds the database locked waits inside SQLite's own busy
/// handler (sleeps of 1–100 ms) instead of Microsoft.Data.Sqlite's retry, which sleeps 150 ms a time
/// and made lock waits the p95 of every write-heavy endpoint. Set on every connection the module
/// contexts open.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    public static readonly SqlitePragmas Instance = new();

    private const string Pragmas = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 30000;";

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (connection is SqliteConnection sqlite)
        {
            await using var command = sqlite.CreateCommand();
            command.CommandText = Pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (connection is SqliteConnection sqlite)
        {
            using var command = sqlite.CreateCommand();
            command.CommandText = Pragmas;
            command.ExecuteNonQuery();
        }
    }
}
