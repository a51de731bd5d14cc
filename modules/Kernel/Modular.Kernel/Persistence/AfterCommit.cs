using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Modular.Kernel.Outbox;

namespace Modular.Kernel.Persistence;

/// <summary>
/// Runs what a context was asked to do once its changes are committed (<see cref="ModuleDbContext.AfterCommit"/>):
/// wake this instance's outbox for new integration events, tell every instance to drop what a change made stale. However
/// the save came about (the unit of work, a handler's <see cref="ModuleDbContext.CommitAsync"/>, a worker), the effects
/// run at once after a save of its own, or when the transaction the save ran in commits, since no one can see the rows
/// before; a rollback drops them.
/// </summary>
internal sealed class AfterCommit(OutboxSignal outbox) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        WakeOutboxFor(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        WakeOutboxFor(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (Saved(eventData.Context) is { } effects)
        {
            Run(effects);
        }

        return result;
    }

    public async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (Saved(eventData.Context) is { } effects)
        {
            await RunAsync(effects, cancellationToken);
        }

        return result;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (Committed(eventData.Context) is { } effects)
        {
            Run(effects);
        }
    }

    public async Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (Committed(eventData.Context) is { } effects)
        {
            await RunAsync(effects, cancellationToken);
        }
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private void WakeOutboxFor(DbContext? context)
    {
        if (context is ModuleDbContext db && db.HasPendingIntegrationEvents)
        {
            db.AfterCommit(_ =>
            {
                outbox.Notify();
                return Task.CompletedTask;
            });
        }
    }

    /// <summary>The effects to run now that a save succeeded outside any transaction; inside one they wait for its commit.</summary>
    private static List<Func<CancellationToken, Task>>? Saved(DbContext? context)
    {
        if (context is not ModuleDbContext { PendingAfterCommit.Count: > 0 } db)
        {
            return null;
        }

        if (db.Database.CurrentTransaction is not null)
        {
            db.AwaitingCommit = true;
            return null;
        }

        return Take(db);
    }

    private static List<Func<CancellationToken, Task>>? Committed(DbContext? context) =>
        context is ModuleDbContext { AwaitingCommit: true } db ? Take(db) : null;

    private static List<Func<CancellationToken, Task>> Take(ModuleDbContext db)
    {
        var effects = db.PendingAfterCommit.ToList();
        db.PendingAfterCommit.Clear();
        db.AwaitingCommit = false;
        return effects;
    }

    private static void Forget(DbContext? context)
    {
        if (context is ModuleDbContext db)
        {
            db.PendingAfterCommit.Clear();
            db.AwaitingCommit = false;
        }
    }

    private static async Task RunAsync(List<Func<CancellationToken, Task>> effects, CancellationToken cancellationToken)
    {
        foreach (var effect in effects)
        {
            await effect(cancellationToken);
        }
    }

    // Synchronous saves are the framework stores' (the data-protection key ring): rare enough to wait for.
    private static void Run(List<Func<CancellationToken, Task>> effects) => RunAsync(effects, CancellationToken.None).GetAwaiter().GetResult();
}
