using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Modular.Kernel.Persistence;

/// <summary>
/// Background work that one instance runs at a time (pruning, closing billing periods, retention). On
/// PostgreSQL a session advisory lock is held on one connection, open for the whole run; the other
/// instances find it taken and skip their round. SQLite is one host's file: the work simply runs.
/// </summary>
public static class ExclusiveWork
{
    /// <summary>Runs <paramref name="work"/> unless another instance holds <paramref name="lockKey"/>; false when skipped.</summary>
    public static async Task<bool> RunAloneAsync(this DatabaseFacade database, long lockKey, Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        if (!database.IsNpgsql())
        {
            await work(cancellationToken);
            return true;
        }

        await database.OpenConnectionAsync(cancellationToken);
        try
        {
            var acquired = await database.SqlQuery<bool>($"SELECT pg_try_advisory_lock({lockKey}) AS \"Value\"").SingleAsync(cancellationToken);
            if (!acquired)
            {
                return false;
            }

            try
            {
                await work(cancellationToken);
            }
            finally
            {
                await database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({lockKey})", CancellationToken.None);
            }

            return true;
        }
        finally
        {
            await database.CloseConnectionAsync();
        }
    }
}
