using System.Data.Common;
using System.Net.Http.Json;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.FeatureManagement;
using Microsoft.FeatureManagement.AspNetCore;
using Modular.Features.Contracts;
using Modular.Features.Domain;
using Modular.Features.Persistence;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;

namespace Modular.Features.Tests;

/// <summary>How flags evaluate: rollouts, stickiness, precedence, caching and the library's entry points.</summary>
public sealed class EvaluationTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_30_percent_rollout_is_deterministic_close_to_30_percent_and_raising_it_keeps_everyone()
    {
        await using var host = ModularHost.OnSqlite();
        var flag = await host.CreateFlagAsync(new { key = "rollout", filters = new[] { FlagsApi.Rollout(30) } });
        var users = Enumerable.Range(0, 10_000).Select(i => $"user-{i}").ToList();

        var at30 = new HashSet<string>();
        foreach (var user in users)
        {
            if (await host.IsOnAsync("rollout", user))
            {
                at30.Add(user);
            }
        }

        Assert.InRange(at30.Count, 2_800, 3_200);
        foreach (var user in users.Take(500))
        {
            Assert.Equal(at30.Contains(user), await host.IsOnAsync("rollout", user)); // same user, same answer
        }

        await host.Operate().SendAsync(HttpMethod.Put, FeaturesRoutes.Flag("rollout"), new { version = flag.Version, filters = new[] { FlagsApi.Rollout(50) } });
        var at50 = new HashSet<string>();
        foreach (var user in users)
        {
            if (await host.IsOnAsync("rollout", user))
            {
                at50.Add(user);
            }
        }

        Assert.InRange(at50.Count, 4_800, 5_200);
        Assert.Subset(at50, at30);
    }

    [Fact]
    public async Task A_tenant_sticky_rollout_gives_every_user_of_a_tenant_the_same_answer()
    {
        await using var host = ModularHost.OnSqlite();
        await host.CreateFlagAsync(new { key = "sticky", filters = new[] { FlagsApi.Rollout(50, by: "Tenant") } });
        var answers = new List<bool>();
        for (var t = 0; t < 40; t++)
        {
            var tenant = new TenantInfo(Guid.CreateVersion7(), $"t{t}", "free", false);
            var perUser = new HashSet<bool>();
            for (var u = 0; u < 25; u++)
            {
                perUser.Add(await host.IsOnAsync("sticky", $"t{t}-user-{u}", tenant));
            }

            answers.Add(Assert.Single(perUser));
        }

        Assert.Contains(true, answers);
        Assert.Contains(false, answers);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task The_kill_switch_beats_every_filter_and_override(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        var a = await host.CreateTenantAsync("tenant-a");
        var flag = await host.CreateFlagAsync(new
        {
            key = "everything-on",
            filters = new[] { FlagsApi.Rollout(100), FlagsApi.Rollout(100, "Tenant"), FlagsApi.Targeting(users: ["alice"], groups: [TargetingGroups.Tenant(a.Id)], defaultRolloutPercentage: 100) },
        });
        await host.Operate().SendAsync(HttpMethod.Put, FeaturesRoutes.TenantOverride("everything-on", a.Id), new { enabled = true });
        Assert.True(await host.IsOnAsync("everything-on", "alice", a));

        await host.Operate().SendAsync(HttpMethod.Put, FeaturesRoutes.FlagEnabled("everything-on"), new { enabled = false, reason = "incident" });

        Assert.False(await host.IsOnAsync("everything-on", "alice", a));
        Assert.DoesNotContain("everything-on", (await host.CreateMemberClient("alice", "tenant-a").EvaluateAsync()).Enabled);
        Assert.NotEqual(flag.Version, (await host.Operate().GetFromJsonAsync<FlagDto>(FeaturesRoutes.Flag("everything-on"), Ct))!.Version);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_thousand_evaluations_on_a_warm_cache_run_no_SQL(DatabaseProvider provider)
    {
        // The outbox poller is the module's only other user of its database; it is off here, so every
        // command counted is one that evaluation caused.
        var commands = new CommandCounter();
        await using var host = (await ModularHost.StartAsync(provider, postgres, new Dictionary<string, string?> { ["Outbox:Enabled"] = "false" }))
            .WithServices(services => services.ConfigureDbContext<FeaturesDbContext>(options => options.AddInterceptors(commands)));
        var a = await host.CreateTenantAsync("tenant-a");
        await host.CreateFlagAsync(new { key = "targeted", filters = new[] { FlagsApi.Targeting(groups: [TargetingGroups.Tenant(a.Id)], defaultRolloutPercentage: 30) } });
        await host.CreateFlagAsync(new { key = "overridden", filters = new[] { FlagsApi.Rollout(10) } });
        await host.Operate().SendAsync(HttpMethod.Put, FeaturesRoutes.TenantOverride("overridden", a.Id), new { enabled = true });
        var cold = await commands.CountDuringAsync(async () => Assert.True(await host.IsOnAsync("targeted", "warm-up", a)));
        Assert.True(cold > 0, "a cold cache loads the flags, and the counter sees it");

        var evaluated = await commands.CountDuringAsync(async () =>
        {
            for (var i = 0; i < 1_000; i++)
            {
                await host.IsOnAsync(i % 2 == 0 ? "targeted" : "overridden", $"user-{i}", a);
            }
        });

        Assert.Equal(0, evaluated);
    }

    [Fact]
    public async Task One_request_sees_one_answer_per_flag_even_from_a_random_filter()
    {
        await using var host = ModularHost.OnSqlite();
        await host.CreateFlagAsync(new { key = "coin", filters = new[] { new { name = "Percentage", parameters = new { value = 50 } } } });

        await using var scope = host.Services.CreateAsyncScope();
        var snapshot = scope.ServiceProvider.GetRequiredService<IFeatureManagerSnapshot>();
        var first = await snapshot.IsEnabledAsync("coin");
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(first, await snapshot.IsEnabledAsync("coin"));
        }
    }

    [Fact]
    public async Task Unknown_flags_are_off_everywhere_and_never_throw()
    {
        await using var host = ModularHost.OnSqlite();
        await using var scope = host.Services.CreateAsyncScope();

        Assert.False(await scope.ServiceProvider.GetRequiredService<IFeatureManager>().IsEnabledAsync("no-such-flag"));
        Assert.Null(await scope.ServiceProvider.GetRequiredService<IVariantFeatureManager>().GetVariantAsync("no-such-flag", Ct));
        Assert.False(await scope.ServiceProvider.GetRequiredService<ISender>().Send(new IsFeatureEnabled("no-such-flag"), Ct));
        Assert.False(await scope.ServiceProvider.GetRequiredService<ISender>().Send(new IsFeatureEnabled(""), Ct));
    }

    [Fact]
    public async Task Appsettings_flags_are_code_owned_defaults_that_the_database_overrides()
    {
        await using var host = ModularHost.OnSqlite(new Dictionary<string, string?>
        {
            ["feature_management:feature_flags:0:id"] = "from-config",
            ["feature_management:feature_flags:0:enabled"] = "true",
        });
        Assert.True(await host.IsOnAsync("from-config", "u1"));

        await host.CreateFlagAsync(new { key = "from-config", enabled = false });

        Assert.False(await host.IsOnAsync("from-config", "u1"));
    }

    [Fact]
    public async Task Other_modules_ask_through_the_mediator_and_gate_endpoints_with_WithFeatureGate()
    {
        await using var host = ModularHost.OnSqlite().WithServices(services => services.AddSingleton<IStartupFilter, GatedEndpoint>());
        var client = host.CreateClient();
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await client.GetAsync(GatedEndpoint.Path, Ct)).StatusCode);

        await host.CreateFlagAsync(new { key = GatedEndpoint.Flag });
        Assert.Equal("open", await client.GetStringAsync(GatedEndpoint.Path, Ct));
        await using (var scope = host.Services.CreateAsyncScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<ISender>().Send(new IsFeatureEnabled(GatedEndpoint.Flag), Ct));
        }

        await host.Operate().SendAsync(HttpMethod.Put, FeaturesRoutes.FlagEnabled(GatedEndpoint.Flag), new { enabled = false });
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await client.GetAsync(GatedEndpoint.Path, Ct)).StatusCode);
    }

    [Fact]
    public void An_override_counts_until_it_expires()
    {
        var now = DateTimeOffset.UtcNow;
        var tenant = Guid.CreateVersion7();
        var flag = FeatureFlag.Create("expiring", new FlagDefinition("", "release", "", true, "Any", "[]", "[]", null, null), now);
        flag.SetOverride(tenant, enabled: false, variant: null, expiresAt: now.AddHours(1), now);
        var catalogFlag = Evaluation.FlagCatalog.Build([flag]).Find("expiring")!;

        Assert.False(catalogFlag.OverrideFor(tenant, now)!.Enabled);
        Assert.Null(catalogFlag.OverrideFor(tenant, now.AddHours(2)));
        Assert.Null(catalogFlag.OverrideFor(Guid.CreateVersion7(), now));
    }

    [Fact]
    public async Task History_is_append_only()
    {
        await using var host = ModularHost.OnSqlite();
        await host.CreateFlagAsync(new { key = "audited" });
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FeaturesDbContext>();
        db.Changes.Remove(await db.Changes.FirstAsync(Ct));

        await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync(Ct));
    }

    /// <summary>Counts the SQL commands a context sends, from any thread.</summary>
    private sealed class CommandCounter : DbCommandInterceptor
    {
        private int _count;

        public async Task<int> CountDuringAsync(Func<Task> work)
        {
            var before = Volatile.Read(ref _count);
            await work();
            return Volatile.Read(ref _count) - before;
        }

        public override DbCommand CommandInitialized(CommandEndEventData eventData, DbCommand result)
        {
            Interlocked.Increment(ref _count);
            return result;
        }
    }

    /// <summary>An endpoint of "another module", gated by a flag, as a module would map it.</summary>
    private sealed class GatedEndpoint : IStartupFilter
    {
        public const string Path = "/gated";
        public const string Flag = "gated-endpoint";

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseRouting();
            app.UseEndpoints(endpoints => endpoints.MapGet(Path, () => "open").WithFeatureGate(Flag));
            next(app);
        };
    }
}
