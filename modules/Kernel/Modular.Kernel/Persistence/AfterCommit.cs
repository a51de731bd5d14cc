using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Modular.Kernel.Persistence;

namespace Modular.Kernel.Outbox;

/// <summary>
/// Wakes this instance's outbox once integration events are committed, however the save came about (the unit of
/// work, a handler's <see cref="ModuleDbContext.CommitAsync"/>, a worker): at once after a save of its own, or when
/// the transaction the save ran in commits, since the dispatcher cannot see the rows before.
/// </summary>
internal sealed class OutboxWakeUp(OutboxSignal signal) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Note(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Note(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Committed(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Committed(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private static void Note(DbContext? context)
    {
        if (context is ModuleDbContext db && db.HasPendingIntegrationEvents)
        {
            db.OutboxWakeUp = OutboxWakeUpState.AfterSave;
        }
    }

    private void Saved(DbContext? context)
    {
        if (context is ModuleDbContext { OutboxWakeUp: OutboxWakeUpState.AfterSave } db)
        {
            if (db.Database.CurrentTransaction is null)
            {
                db.OutboxWakeUp = OutboxWakeUpState.None;
                signal.Notify();
            }
            else
            {
                db.OutboxWakeUp = OutboxWakeUpState.AfterCommit;
            }
        }
    }

    private void Committed(DbContext? context)
    {
        if (context is ModuleDbContext { OutboxWakeUp: OutboxWakeUpState.AfterCommit } db)
        {
            db.OutboxWakeUp = OutboxWakeUpState.None;
            signal.Notify();
        }
    }

    private static void Forget(DbContext? context)
    {
        if (context is ModuleDbContext db)
        {
            db.OutboxWakeUp = OutboxWakeUpState.None;
        }
    }
}

/// <summary>Where a context's saved integration events stand on their way to the outbox dispatcher.</summary>
internal enum OutboxWakeUpState
{
    None,
    AfterSave,
    AfterCommit,
}
