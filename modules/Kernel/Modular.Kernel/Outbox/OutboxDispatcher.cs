using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Modular.Kernel.Persistence;

namespace Modular.Kernel.Outbox;

/// <summary>
/// Publishes one module's committed integration events. A batch is claimed inside a transaction —
/// on PostgreSQL with <c>FOR UPDATE SKIP LOCKED</c>, so several workers or host instances never take
/// the same rows — published, and marked done in that same transaction. If the process dies before the
/// commit, PostgreSQL rolls the claim back and the rows are taken again: no event is lost, and none is
/// marked done without having been published. A transient database failure replays the batch (at least
/// once, as after a crash).
/// </summary>
public sealed partial class OutboxDispatcher<TContext>(
    IServiceScopeFactory scopes,
    IOptions<OutboxOptions> options,
    TimeProvider clock,
    ILogger<OutboxDispatcher<TContext>> logger)
    where TContext : ModuleDbContext
{
    /// <summary>Claims, publishes and completes one batch; returns how many messages it took.</summary>
    public async Task<int> DispatchBatchAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        return await db.Database.InTransactionAsync(async token =>
        {
            db.ChangeTracker.Clear(); // a replay claims afresh, not with the failed attempt's rows
            var batch = await ClaimAsync(db, clock.GetUtcNow(), settings, token);
            foreach (var message in batch)
            {
                try
                {
                    // Each event gets its own scope: a failing handler's half-made changes stay with it.
                    await using var handlerScope = scopes.CreateAsyncScope();
                    await handlerScope.ServiceProvider.GetRequiredService<IPublisher>().Publish(message.Deserialize(), token);
                    message.MarkProcessed(clock.GetUtcNow());
                }
                catch (Exception e) when (!token.IsCancellationRequested)
                {
                    var retryAt = clock.GetUtcNow() + settings.RetryDelay(message.Attempts);
                    message.MarkFailed($"{e.GetType().Name}: {e.Message}", retryAt);
                    LogFailed(logger, e, message.Id, message.Type, message.Attempts, settings.MaxAttempts);
                }
            }

            await db.SaveChangesAsync(token);
            return batch.Count;
        }, cancellationToken);
    }

    private static Task<List<OutboxMessage>> ClaimAsync(TContext db, DateTimeOffset now, OutboxOptions settings, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            // The schema comes from code, never from input; values are parameters.
            var sql = "SELECT * FROM \"" + db.Schema + "\".outbox_messages " +
                "WHERE processed_at IS NULL AND attempts < {0} AND next_attempt_at <= {1} " +
                "ORDER BY occurred_at LIMIT {2} FOR UPDATE SKIP LOCKED";
            return db.OutboxMessages.FromSqlRaw(sql, settings.MaxAttempts, now, settings.BatchSize).ToListAsync(cancellationToken);
        }

        // SQLite: one writer per file, and one worker per module in the (single) instance.
        return db.OutboxMessages
            .Where(m => m.ProcessedAt == null && m.Attempts < settings.MaxAttempts && m.NextAttemptAt <= now)
            .OrderBy(m => m.OccurredAt)
            .Take(settings.BatchSize)
            .ToListAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox message {MessageId} ({Type}) failed, attempt {Attempts} of {MaxAttempts}")]
    private static partial void LogFailed(ILogger logger, Exception exception, Guid messageId, string type, int attempts, int maxAttempts);
}
