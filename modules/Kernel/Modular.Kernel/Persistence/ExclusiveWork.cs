using Microsoft.Extensions.Options;
using Npgsql;

namespace Modular.Kernel.Persistence;

/// <summary>
/// Background work that one instance runs at a time (pruning, closing billing periods, retention). On PostgreSQL a
/// session advisory lock is held for the whole run on a connection of its own, straight to the server
/// (<see cref="DatabaseOptions.DirectConnectionString"/>): a session lock taken through PgBouncer in transaction mode
/// could be released on another server connection, or never. The other instances find it taken and skip their round;
/// if this instance dies, its session ends and the lock with it. The work itself runs on the usual pooled contexts.
/// SQLite is one host's file: the work simply runs.
/// </summary>
public sealed class ExclusiveWork(IOptions<DatabaseOptions> database)
{
    /// <summary>Runs <paramref name="work"/> unless another instance holds <paramref name="lockKey"/>; false when skipped.</summary>
    public async Task<bool> RunAloneAsync(long lockKey, Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        if (database.Value.Provider != DatabaseProvider.Postgres)
        {
            await work(cancellationToken);
            return true;
        }

        await using var session = new NpgsqlConnection(database.Value.DirectSessionConnectionString());
        await session.OpenAsync(cancellationToken);
        await using (var take = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", session))
        {
            take.Parameters.AddWithValue("key", lockKey);
            if (!(bool)(await take.ExecuteScalarAsync(cancellationToken))!)
            {
                return false;
            }
        }

        // Closing the unpooled session releases the lock, whatever the work did.
        await work(cancellationToken);
        return true;
    }
}
