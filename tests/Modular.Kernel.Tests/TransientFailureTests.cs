using System.Data;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Persistence;

namespace Modular.Kernel.Tests;

/// <summary>What PostgreSQL's transient failures do to a unit of work: it is replayed whole, never lost or half-applied.</summary>
public sealed class TransientFailureTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_transaction_that_loses_a_serialization_race_is_replayed_from_its_first_read(bool throughPgBouncer)
    {
        await using var pgBouncer = throughPgBouncer ? await PgBouncerServer.StartAsync(postgres) : null;
        var database = await postgres.CreateDatabaseAsync();
        await using var services = WidgetsModule.Build(DatabaseProvider.Postgres, pgBouncer?.Through(database) ?? database, new RecordingPublisher());
        await services.CreateSchemaAsync();
        var counter = new Widget { Name = "0" };
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<WidgetsDbContext>();
            db.Widgets.Add(counter);
            await db.SaveChangesAsync(Ct);
        }

        // The late writer reads first, then waits until the early one has committed its increment: its own
        // update then fails with 40001 (could not serialize access due to concurrent update).
        var lateWriterHasRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var earlyWriterCommitted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lateWriterAttempts = 0;
        var lateWriter = IncrementAsync(services, counter.Id, async () =>
        {
            if (Interlocked.Increment(ref lateWriterAttempts) == 1)
            {
                lateWriterHasRead.SetResult();
                await earlyWriterCommitted.Task;
            }
        });
        await lateWriterHasRead.Task;
        await IncrementAsync(services, counter.Id, () => Task.CompletedTask);
        earlyWriterCommitted.SetResult();
        await lateWriter;

        Assert.Equal(2, lateWriterAttempts);
        await using var check = services.CreateAsyncScope();
        Assert.Equal("2", (await check.ServiceProvider.GetRequiredService<WidgetsDbContext>().Widgets.SingleAsync(Ct)).Name);
    }

    /// <summary>Reads the counter and writes it plus one, in a repeatable-read transaction.</summary>
    private static async Task IncrementAsync(ServiceProvider services, Guid id, Func<Task> afterRead)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WidgetsDbContext>();
        await db.Database.InTransactionAsync(async cancellationToken =>
        {
            var count = int.Parse((await db.Widgets.AsNoTracking().SingleAsync(w => w.Id == id, cancellationToken)).Name, CultureInfo.InvariantCulture);
            await afterRead();
            var next = (count + 1).ToString(CultureInfo.InvariantCulture);
            await db.Widgets.Where(w => w.Id == id).ExecuteUpdateAsync(set => set.SetProperty(w => w.Name, next), cancellationToken);
        }, Ct, IsolationLevel.RepeatableRead);
    }
}
