using System.Net;
using System.Net.Http.Json;
using Modular.Features.Contracts;
using Modular.Kernel.Persistence;

namespace Modular.Features.Tests;

/// <summary>The flags API through the whole host pipeline, on SQLite and on PostgreSQL.</summary>
public sealed class FeatureFlagsApiTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [Trait("Category", "Smoke")]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_flag_is_created_read_listed_searched_and_its_history_kept(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        var client = host.Operate();

        var created = await host.CreateFlagAsync(new { key = "new-checkout", description = "The new checkout", type = "release", owner = "payments", filters = new[] { FlagsApi.Rollout(20) } });
        Assert.Equal(("new-checkout", "release", "payments", true, "Any", 1), (created.Key, created.Type, created.Owner, created.Enabled, created.RequirementType, created.Version));
        Assert.Equal(FlagFilters.Rollout, Assert.Single(created.Filters).Name); // short names are stored in full
        await host.CreateFlagAsync(new { key = "ops.maintenance", type = "ops", description = "Read-only mode" });

        var fetched = (await client.GetFromJsonAsync<FlagDto>(FeaturesRoutes.Flag("new-checkout"), Ct))!;
        Assert.Equal(created.Version, fetched.Version);
        Assert.Equal(["new-checkout", "ops.maintenance"], (await client.GetFromJsonAsync<List<FlagDto>>(FeaturesRoutes.Features, Ct))!.Select(f => f.Key));
        Assert.Equal(["ops.maintenance"], (await client.GetFromJsonAsync<List<FlagDto>>($"{FeaturesRoutes.Features}?type=ops", Ct))!.Select(f => f.Key));
        Assert.Equal(["new-checkout"], (await client.GetFromJsonAsync<List<FlagDto>>($"{FeaturesRoutes.Features}?search=CHECKOUT", Ct))!.Select(f => f.Key));

        var killed = await client.SendAsync(HttpMethod.Put, FeaturesRoutes.FlagEnabled("new-checkout"), new { enabled = false, reason = "incident 42" });
        Assert.False(killed.Enabled);

        var history = (await client.GetFromJsonAsync<List<FlagChangeDto>>(FeaturesRoutes.FlagHistory("new-checkout"), Ct))!;
        Assert.Equal(["flag.killed", "flag.created"], history.Select(h => h.Action));
        var kill = history[0];
        Assert.Equal(("operator", "incident 42"), (kill.Actor, kill.Reason));
        Assert.Contains("\"enabled\":true", kill.OldValue);
        Assert.Contains("\"enabled\":false", kill.NewValue);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_tenant_override_turns_a_flag_on_for_tenant_A_and_not_for_B(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        var a = await host.CreateTenantAsync("tenant-a");
        var b = await host.CreateTenantAsync("tenant-b");
        await host.CreateFlagAsync(new { key = "reports", filters = new[] { FlagsApi.Rollout(0) } }); // dark for everyone
        var alice = host.CreateMemberClient("alice", "tenant-a");
        var bob = host.CreateMemberClient("bob", "tenant-b");
        Assert.DoesNotContain("reports", (await alice.EvaluateAsync()).Enabled);

        var flag = await host.Operate().SendAsync(HttpMethod.Put, FeaturesRoutes.TenantOverride("reports", a.Id), new { enabled = true, reason = "pilot customer" });
        Assert.Equal(a.Id, Assert.Single(flag.Overrides).TenantId);

        Assert.Contains("reports", (await alice.EvaluateAsync()).Enabled);
        Assert.DoesNotContain("reports", (await bob.EvaluateAsync()).Enabled);
        var overrides = (await host.Operate().GetFromJsonAsync<List<TenantOverrideDto>>(FeaturesRoutes.TenantOverrides(a.Id), Ct))!;
        Assert.Equal("reports", Assert.Single(overrides).Key);
        var history = (await host.Operate().GetFromJsonAsync<List<FlagChangeDto>>($"{FeaturesRoutes.History}?tenant={a.Id}", Ct))!;
        Assert.Equal(("override.set", a.Id, "pilot customer"), (Assert.Single(history).Action, history[0].TenantId, history[0].Reason));

        await host.Operate().SendAsync(HttpMethod.Delete, $"{FeaturesRoutes.TenantOverride("reports", a.Id)}?reason=pilot%20over");
        Assert.DoesNotContain("reports", (await alice.EvaluateAsync()).Enabled);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Targeting_reaches_a_tenant_a_plan_and_a_user(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        var a = await host.CreateTenantAsync("tenant-a", plan: "pro");
        var b = await host.CreateTenantAsync("tenant-b", plan: "free");
        await host.CreateFlagAsync(new { key = "for-a", filters = new[] { FlagsApi.Targeting(groups: [TargetingGroups.Tenant(a.Id)]) } });
        await host.CreateFlagAsync(new { key = "for-pro", filters = new[] { FlagsApi.Targeting(groups: [TargetingGroups.Plan("pro")]) } });
        await host.CreateFlagAsync(new { key = "for-bob", filters = new[] { FlagsApi.Targeting(users: ["bob"]) } });

        Assert.Equal(["for-a", "for-pro"], (await host.CreateMemberClient("alice", "tenant-a").EvaluateAsync()).Enabled);
        Assert.Equal(["for-bob"], (await host.CreateMemberClient("bob", "tenant-b").EvaluateAsync()).Enabled);
        Assert.True(await host.IsOnAsync("for-pro", "carol", a));
        Assert.False(await host.IsOnAsync("for-pro", "carol", b));
    }

    [Fact]
    public async Task Variants_follow_the_allocation_and_a_tenant_override_picks_one()
    {
        await using var host = ModularHost.OnSqlite();
        var a = await host.CreateTenantAsync("tenant-a");
        await host.CreateFlagAsync(new
        {
            key = "button-colour",
            type = "experiment",
            variants = new object[] { new { name = "blue", configuration = "#00f" }, new { name = "green", configuration = "#0f0" } },
            allocation = new { defaultWhenEnabled = "blue", percentile = new[] { new { variant = "blue", from = 0, to = 100 } } },
        });
        var alice = host.CreateMemberClient("alice", "tenant-a");
        Assert.Equal("blue", (await alice.EvaluateAsync()).Variants["button-colour"]);

        await host.Operate().SendAsync(HttpMethod.Put, FeaturesRoutes.TenantOverride("button-colour", a.Id), new { enabled = true, variant = "green" });
        Assert.Equal("green", (await alice.EvaluateAsync()).Variants["button-colour"]);
    }

    [Fact]
    public async Task Deleting_a_flag_turns_it_off_and_keeps_its_history()
    {
        await using var host = ModularHost.OnSqlite();
        await host.CreateFlagAsync(new { key = "short-lived" });
        Assert.True(await host.IsOnAsync("short-lived", "u1"));

        var deleted = await host.Operate().DeleteAsync($"{FeaturesRoutes.Flag("short-lived")}?reason=cleanup", Ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        Assert.False(await host.IsOnAsync("short-lived", "u1"));
        var history = (await host.Operate().GetFromJsonAsync<List<FlagChangeDto>>(FeaturesRoutes.FlagHistory("short-lived"), Ct))!;
        Assert.Equal(["flag.deleted", "flag.created"], history.Select(h => h.Action));
    }
}
