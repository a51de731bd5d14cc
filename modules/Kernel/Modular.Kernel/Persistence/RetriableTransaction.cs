using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Modular.Kernel.Persistence;

/// <summary>
/// Work that needs a transaction of its own. On PostgreSQL the module contexts retry transient failures
/// (EF's retrying execution strategy: a dropped connection, an administrator's shutdown, a serialization
/// failure, a deadlock; ADR 0002), and EF refuses a transaction begun outside that strategy: so a
/// transaction is begun here, inside it, and the whole unit is replayed from its first statement when a
/// transient failure aborts it — never resumed from the middle. The work may therefore run more than once:
/// it must rebuild its changes from what it reads inside, not from what a failed attempt left tracked.
/// Inside a transaction already open on the context, the work simply joins it.
/// <para>
/// An isolation level is asked for here, never with <c>SET TRANSACTION</c> in the work: on PostgreSQL the transaction's
/// first statement tells it the tenant (row-level security), and <c>SET TRANSACTION</c> must come before any other.
/// </para>
/// </summary>
public static class RetriableTransaction
{
    public static async Task<T> InTransactionAsync<T>(
        this DatabaseFacade database, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken, IsolationLevel isolation = IsolationLevel.Unspecified)
    {
        if (database.CurrentTransaction is not null)
        {
            return await work(cancellationToken);
        }

        return await database.CreateExecutionStrategy().ExecuteAsync(
            (Database: database, Work: work, Isolation: isolation),
            static async (_, state, cancellationToken) =>
            {
                await using var transaction = await state.Database.BeginTransactionAsync(state.Isolation, cancellationToken);
                var result = await state.Work(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return result;
            },
            verifySucceeded: null,
            cancellationToken);
    }

    public static Task InTransactionAsync(
        this DatabaseFacade database, Func<CancellationToken, Task> work, CancellationToken cancellationToken, IsolationLevel isolation = IsolationLevel.Unspecified) =>
        database.InTransactionAsync(async token =>
        {
            await work(token);
            return true;
        }, cancellationToken, isolation);
}
