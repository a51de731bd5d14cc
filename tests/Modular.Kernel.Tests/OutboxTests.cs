using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Outbox;
using Modular.Kernel.Persistence;
using Npgsql;

namespace Modular.Kernel.Tests;

public sealed class OutboxTests(PostgresServer postgres) : IAsyncLifetime
{
    private readonly string _sqliteDirectory = Directory.CreateTempSubdirectory("modular-outbox-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [Trait("Category", "Smoke")]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Committed_events_are_published_once_and_marked_processed(DatabaseProvider provider)
    {
        var publisher = new RecordingPublisher();
        await using var services = WidgetsModule.Build(provider, await ConnectionStringAsync(provider), publisher);
        await services.CreateSchemaAsync();
        await services.MakeWidgetsAsync(3);

        Assert.Equal(3, await services.Dispatcher().DispatchBatchAsync(Ct));
        Assert.Equal(0, await services.Dispatcher().DispatchBatchAsync(Ct));

        var published = publisher.Published.Cast<WidgetMade>().Select(e => e.Name).Order().ToList();
        Assert.Equal(["widget-0", "widget-1", "widget-2"], published);
        Assert.All(await services.OutboxAsync(), m => Assert.NotNull(m.ProcessedAt));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_failing_handler_is_retried_after_a_backoff_and_then_given_up(DatabaseProvider provider)
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var publisher = new RecordingPublisher { BeforePublish = (_, _) => throw new InvalidOperationException("handler is down") };
        await using var services = WidgetsModule.Build(provider, await ConnectionStringAsync(provider), publisher, clock, o => o.MaxAttempts = 2);
        await services.CreateSchemaAsync();
        await services.MakeWidgetsAsync(1);
        clock.Now = DateTimeOffset.UtcNow; // the event is due

        Assert.Equal(1, await services.Dispatcher().DispatchBatchAsync(Ct));
        var failed = Assert.Single(await services.OutboxAsync());
        Assert.Null(failed.ProcessedAt);
        Assert.Equal(1, failed.Attempts);
        Assert.Contains("handler is down", failed.LastError);
        Assert.True(failed.NextAttemptAt > clock.Now, "the retry must wait for its backoff");

        // Not due yet: nothing is taken.
        Assert.Equal(0, await services.Dispatcher().DispatchBatchAsync(Ct));

        // Due again, still failing: the second and last attempt.
        clock.Now = failed.NextAttemptAt.AddSeconds(1);
        Assert.Equal(1, await services.Dispatcher().DispatchBatchAsync(Ct));
        var given_up = Assert.Single(await services.OutboxAsync());
        Assert.Equal(2, given_up.Attempts);

        // Past MaxAttempts the message stays, with its error, for an operator; it is no longer taken.
        clock.Now = clock.Now.AddDays(1);
        Assert.Equal(0, await services.Dispatcher().DispatchBatchAsync(Ct));
        Assert.Empty(publisher.Published);
    }

    [Fact]
    public async Task A_worker_that_dies_between_claim_and_completion_loses_nothing_and_publishes_nothing_twice()
    {
        var database = await postgres.CreateDatabaseAsync();
        using var crash = new CancellationTokenSource();
        var claimed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var doomed = new RecordingPublisher
        {
            BeforePublish = async (_, _) =>
            {
                claimed.TrySetResult();
                await Task.Delay(Timeout.Infinite, crash.Token); // stuck mid-batch until the "process" dies
            },
        };
        await using var workerA = WidgetsModule.Build(DatabaseProvider.Postgres, database + ";Application Name=outbox-worker-a", doomed);
        await workerA.CreateSchemaAsync();
        await workerA.MakeWidgetsAsync(3);

        var runA = workerA.Dispatcher().DispatchBatchAsync(crash.Token);
        await claimed.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        // While A holds its claim, another worker skips the locked rows instead of taking them too.
        var survivor = new RecordingPublisher();
        await using var workerB = WidgetsModule.Build(DatabaseProvider.Postgres, database + ";Application Name=outbox-worker-b", survivor);
        Assert.Equal(0, await workerB.Dispatcher().DispatchBatchAsync(Ct));

        // A's process dies: its code stops and its connection drops, so PostgreSQL rolls back the claim.
        await crash.CancelAsync();
        await TerminateBackendsAsync(database, "outbox-worker-a");
        await Assert.ThrowsAnyAsync<Exception>(() => runA);
        Assert.Empty(doomed.Published);

        // B now takes every event exactly once.
        Assert.Equal(3, await workerB.Dispatcher().DispatchBatchAsync(Ct));
        Assert.Equal(0, await workerB.Dispatcher().DispatchBatchAsync(Ct));
        Assert.Equal(3, survivor.Published.Cast<WidgetMade>().Select(e => e.WidgetId).Distinct().Count());
        Assert.Equal(3, survivor.Published.Count);
        Assert.All(await workerB.OutboxAsync(), m => Assert.Equal(0, m.Attempts));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Competing_workers_publish_every_event_exactly_once(bool throughPgBouncer)
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var pgBouncer = throughPgBouncer ? await PgBouncerServer.StartAsync(postgres) : null;
        var publisher = new RecordingPublisher { BeforePublish = (_, _) => Task.Delay(1) };
        await using var producer = WidgetsModule.Build(DatabaseProvider.Postgres, database, publisher, outbox: o => o.BatchSize = 10);
        await producer.CreateSchemaAsync();
        await producer.MakeWidgetsAsync(200);

        // Three workers with their own service providers (as three host instances would have), one publisher to count.
        var workers = Enumerable.Range(0, 3)
            .Select(_ => WidgetsModule.Build(DatabaseProvider.Postgres, pgBouncer?.Through(database) ?? database, publisher, outbox: o => o.BatchSize = 10))
            .ToList();
        try
        {
            await Task.WhenAll(workers.Select(w => Task.Run(async () =>
            {
                var idle = 0;
                while (idle < 3)
                {
                    idle = await w.Dispatcher().DispatchBatchAsync(Ct) == 0 ? idle + 1 : 0;
                }
            }, Ct)));
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }
        }

        var ids = publisher.Published.Cast<WidgetMade>().Select(e => e.WidgetId).ToList();
        Assert.Equal(200, ids.Count);
        Assert.Equal(200, ids.Distinct().Count());
        Assert.All(await producer.OutboxAsync(), m => Assert.NotNull(m.ProcessedAt));
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_sqliteDirectory, recursive: true);
        return ValueTask.CompletedTask;
    }

    private async Task<string> ConnectionStringAsync(DatabaseProvider provider) => provider == DatabaseProvider.Postgres
        ? await postgres.CreateDatabaseAsync()
        : $"Data Source={Path.Combine(_sqliteDirectory, Guid.NewGuid().ToString("N") + "-{module}.db")}";

    private static async Task TerminateBackendsAsync(string connectionString, string applicationName)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var kill = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = @name", connection);
        kill.Parameters.AddWithValue("name", applicationName);
        var killed = (long)(await kill.ExecuteScalarAsync(Ct))!;
        Assert.True(killed > 0, "the dying worker's connection should have been found");
    }
}
