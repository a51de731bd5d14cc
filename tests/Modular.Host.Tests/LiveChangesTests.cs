using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Cluster;

namespace Modular.Host.Tests;

/// <summary>The console's "look again" notices: heard on every instance, once per burst of changes.</summary>
public sealed class LiveChangesTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_burst_of_changes_on_one_instance_reaches_each_watcher_on_every_instance_once()
    {
        await using var first = await ModularHost.OnPostgresAsync(postgres);
        await using var second = first.AnotherInstance();
        var here = first.Services.GetRequiredService<LiveChanges>();
        var there = second.Services.GetRequiredService<LiveChanges>();

        // The second instance listens once it hears anything at all.
        var listening = 0;
        using (there.Watch("warm-up", () => Interlocked.Increment(ref listening)))
        {
            await Eventually.HoldsAsync(
                async () =>
                {
                    here.Announce("warm-up");
                    await Task.Delay(LiveChanges.Coalescing * 2, Ct);
                    return Volatile.Read(ref listening) > 0;
                },
                "the second instance hears the first");
        }

        var (heardHere, heardThere, heardOther) = (0, 0, 0);
        var reachedThere = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watchHere = here.Watch("orders", () => Interlocked.Increment(ref heardHere));
        using var watchThere = there.Watch("orders", () =>
        {
            Interlocked.Increment(ref heardThere);
            reachedThere.TrySetResult();
        });
        using var watchOther = there.Watch("invoices", () => Interlocked.Increment(ref heardOther));

        for (var i = 0; i < 20; i++)
        {
            here.Announce("orders");
        }

        await reachedThere.Task.WaitAsync(TimeSpan.FromMinutes(1), Ct);
        await Task.Delay(LiveChanges.Coalescing * 4, Ct); // long enough for a second notice, had the burst made one
        Assert.Equal((1, 1, 0), (Volatile.Read(ref heardHere), Volatile.Read(ref heardThere), Volatile.Read(ref heardOther)));

        // A watcher disposed hears nothing more.
        watchThere.Dispose();
        here.Announce("orders");
        await Eventually.HoldsAsync(() => Task.FromResult(Volatile.Read(ref heardHere) == 2), "the first instance's watcher hears the next change");
        await Task.Delay(LiveChanges.Coalescing * 4, Ct); // the notice has reached the second instance by now, had it a watcher
        Assert.Equal(1, Volatile.Read(ref heardThere));
    }
}
