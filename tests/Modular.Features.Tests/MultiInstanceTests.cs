using Modular.Features.Contracts;

namespace Modular.Features.Tests;

/// <summary>
/// Several host instances on one PostgreSQL database agree on the flags: a change on one reaches the others'
/// cached catalogs through NOTIFY, with no poll interval to wait out. How fast is a measurement, not a test
/// (a shared machine can stall any process for seconds); the wait below only bounds "never".
/// </summary>
public sealed class MultiInstanceTests(PostgresServer postgres)
{
    private static readonly TimeSpan Never = TimeSpan.FromMinutes(1);

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // LISTEN on the direct connection, everything else through PgBouncer's transaction pool
    public async Task A_change_on_one_instance_reaches_another_instance_s_cached_catalog(bool throughPgBouncer)
    {
        await using var pgBouncer = throughPgBouncer ? await PgBouncerServer.StartAsync(postgres) : null;
        await using var first = pgBouncer is null ? await ModularHost.OnPostgresAsync(postgres) : await ModularHost.OnPgBouncerAsync(postgres, pgBouncer);
        await first.CreateFlagAsync(new { key = "shared" });
        await using var second = first.AnotherInstance();
        Assert.True(await second.IsOnAsync("shared", "u1")); // the second instance's cache is now warm

        await first.Operate().SendAsync(HttpMethod.Put, FeaturesRoutes.FlagEnabled("shared"), new { enabled = false, reason = "kill" });
        await SeenByTheOtherInstanceAsync(async () => !await second.IsOnAsync("shared", "u1"));

        await first.Operate().SendAsync(HttpMethod.Put, FeaturesRoutes.FlagEnabled("shared"), new { enabled = true, reason = "back" });
        await SeenByTheOtherInstanceAsync(async () => await second.IsOnAsync("shared", "u1"));
    }

    /// <summary>Asks the other instance until it answers as <paramref name="condition"/> wants; a minute means the change never came.</summary>
    private static async Task SeenByTheOtherInstanceAsync(Func<Task<bool>> condition)
    {
        using var never = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        never.CancelAfter(Never);
        while (!await condition())
        {
            await Task.Delay(50, never.Token); // throws once a minute has passed: the other instance never saw the change
        }
    }
}
