using System.Diagnostics;
using Modular.Features.Contracts;

namespace Modular.Features.Tests;

/// <summary>Several host instances on one PostgreSQL database agree on the flags within seconds.</summary>
public sealed class MultiInstanceTests(PostgresServer postgres)
{
    private static readonly TimeSpan Promise = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_change_on_one_instance_is_seen_by_another_within_5_seconds()
    {
        await using var first = await ModularHost.OnPostgresAsync(postgres);
        await first.CreateFlagAsync(new { key = "shared" });
        await using var second = first.AnotherInstance();
        Assert.True(await second.IsOnAsync("shared", "u1")); // the second instance's cache is now warm

        await first.Operate().SendAsync(HttpMethod.Put, FeaturesRoutes.FlagEnabled("shared"), new { enabled = false, reason = "kill" });
        await SeenWithinAsync(async () => !await second.IsOnAsync("shared", "u1"));

        await first.Operate().SendAsync(HttpMethod.Put, FeaturesRoutes.FlagEnabled("shared"), new { enabled = true, reason = "back" });
        await SeenWithinAsync(async () => await second.IsOnAsync("shared", "u1"));
    }

    /// <summary>The promise is "within 5 s": poll until it holds, failing once 5 s have passed.</summary>
    private static async Task SeenWithinAsync(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < Promise, $"the other instance still had the old answer after {Promise.TotalSeconds} s");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
