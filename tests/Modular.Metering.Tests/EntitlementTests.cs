using System.Net;
using System.Net.Http.Json;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using Modular.Metering.Contracts;
using Modular.Tenants.Contracts;
using static Modular.Metering.Tests.MeteringApi;

namespace Modular.Metering.Tests;

/// <summary>Quotas: the plan's limits against the rollups, and the API-call filter that holds hard ones on every instance.</summary>
public sealed class EntitlementTests(PostgresServer postgres)
{

    private static Dictionary<string, string?> Settings(string ttl, string? apiCallMeter = null, int limit = 5) => new()
    {
        ["Metering:EntitlementCacheTtl"] = ttl,
        ["Metering:ApiCallMeter"] = apiCallMeter,
        ["Metering:Plans:pro:Currency"] = "USD",
        ["Metering:Plans:pro:Quotas:0:Meter"] = "api-calls",
        ["Metering:Plans:pro:Quotas:0:Limit"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Metering:Plans:pro:Quotas:0:Enforcement"] = "Hard",
    };

    private static async Task<ModularHost> StartAsync(DatabaseProvider provider, PostgresServer postgres, Dictionary<string, string?> settings)
    {
        var host = await ModularHost.StartAsync(provider, postgres, settings);
        var admin = host.CreateClientAs("operator", "tenants.manage");
        (await admin.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug = "acme", name = "Acme", plan = "pro" }, Ct)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug = "globex", name = "Globex", plan = "pro" }, Ct)).EnsureSuccessStatusCode();
        await CreateMeterAsync(host, new { key = "api-calls", name = "API calls", eventType = "api.call", aggregation = "COUNT" });
        return host;
    }

    private static DateTimeOffset NextMonthUtc
    {
        get
        {
            var now = DateTimeOffset.UtcNow;
            return new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task The_entitlement_counts_this_periods_usage_against_the_plans_quota(DatabaseProvider provider)
    {
        await using var host = await StartAsync(provider, postgres, Settings(ttl: "00:00:00.0000001"));
        var acme = Ingester(host, "acme");
        await SendOkAsync(acme, Enumerable.Range(0, 3).Select(i => Event($"now-{i}")).ToArray(), BatchMediaType);
        await SendOkAsync(acme, Event("last-month", time: NextMonthUtc.AddMonths(-1).AddMinutes(-5))); // the previous period: reset

        var entitlement = (await acme.GetFromJsonAsync<EntitlementDto>(MeteringRoutes.Entitlement("api-calls"), Ct))!;
        Assert.Equal(new EntitlementDto("api-calls", true, 5m, 3m, 2m, NextMonthUtc, "Hard"), entitlement);

        await SendOkAsync(acme, Enumerable.Range(3, 4).Select(i => Event($"now-{i}")).ToArray(), BatchMediaType);
        Assert.Equal(new EntitlementDto("api-calls", false, 5m, 7m, 0m, NextMonthUtc, "Hard"), await acme.GetFromJsonAsync<EntitlementDto>(MeteringRoutes.Entitlement("api-calls"), Ct));

        // Tenant B sees its own usage only; a meter without a quota is always allowed.
        Assert.Equal(new EntitlementDto("api-calls", true, 5m, 0m, 5m, NextMonthUtc, "Hard"), await Ingester(host, "globex").GetFromJsonAsync<EntitlementDto>(MeteringRoutes.Entitlement("api-calls"), Ct));
        await CreateMeterAsync(host, new { key = "tokens", name = "Tokens", eventType = "llm", aggregation = "SUM", valuePath = "$.tokens" });
        Assert.Equal(new EntitlementDto("tokens", true, null, 0m, null, NextMonthUtc, null), await acme.GetFromJsonAsync<EntitlementDto>(MeteringRoutes.Entitlement("tokens"), Ct));

        // Other modules ask through the mediator, in their tenant's scope.
        await using var scope = host.Services.CreateAsyncScope();
        var tenant = await scope.ServiceProvider.GetRequiredService<ITenantDirectory>().FindAsync("acme", Ct);
        scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenant!);
        var asked = await scope.ServiceProvider.GetRequiredService<ISender>().Send(new CheckEntitlement("api-calls"), Ct);
        Assert.Equal((false, 7m), (asked.HasAccess, asked.Used));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task The_check_is_exact_while_the_plan_stays_cached(DatabaseProvider provider)
    {
        await using var host = await StartAsync(provider, postgres, Settings(ttl: "01:00:00"));
        var acme = Ingester(host, "acme");
        await SendOkAsync(acme, Event("first"));
        Assert.Equal(1m, (await acme.GetFromJsonAsync<EntitlementDto>(MeteringRoutes.Entitlement("api-calls"), Ct))!.Used);

        // Usage is never cached: what ingestion stored shows at once, from any sender.
        await SendOkAsync(acme, Event("second"));
        Assert.Equal(2m, (await acme.GetFromJsonAsync<EntitlementDto>(MeteringRoutes.Entitlement("api-calls"), Ct))!.Used);

        // A plan change on this instance shows at once.
        (await Operator(host).PutAsJsonAsync(MeteringRoutes.Plan("pro"), new { currency = "USD", quotas = new[] { new { meter = "api-calls", limit = 1, enforcement = "Soft" } } }, Ct)).EnsureSuccessStatusCode();
        Assert.Equal(new EntitlementDto("api-calls", true, 1m, 2m, 0m, NextMonthUtc, "Soft"), await acme.GetFromJsonAsync<EntitlementDto>(MeteringRoutes.Entitlement("api-calls"), Ct));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite, 1)]
    [InlineData(DatabaseProvider.Postgres, 2)]
    public async Task A_hard_quota_lets_exactly_its_limit_through_from_concurrent_callers_on_every_instance(DatabaseProvider provider, int instances)
    {
        const int limit = 60;
        await using var first = await StartAsync(provider, postgres, Settings(ttl: "01:00:00", apiCallMeter: "api-calls", limit: limit));
        await using var second = first.AnotherInstance();
        var hosts = instances == 1 ? [first] : new[] { first, second };

        // 8 callers per instance, each calling until refused: far more attempts than the quota.
        var callers = hosts.SelectMany(host => Enumerable.Range(0, 8).Select(_ => Member(host, "acme", MeteringPermissions.Read))).ToList();
        var outcomes = await Task.WhenAll(callers.Select(async client =>
        {
            var (allowed, refused) = (0, 0);
            while (refused < 3)
            {
                using var response = await client.GetAsync(MeteringRoutes.Meters, Ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    allowed++;
                }
                else
                {
                    await response.AssertProblemAsync(HttpStatusCode.TooManyRequests, ProblemTypes.QuotaExceeded);
                    refused++;
                }
            }

            return allowed;
        }));

        Assert.Equal(limit, outcomes.Sum());

        // Asked in process (over HTTP the check would itself be a refused call): exactly the limit was recorded.
        await using var scope = hosts[^1].Services.CreateAsyncScope();
        var tenant = await scope.ServiceProvider.GetRequiredService<ITenantDirectory>().FindAsync("acme", Ct);
        scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenant!);
        var standing = await scope.ServiceProvider.GetRequiredService<ISender>().Send(new CheckEntitlement("api-calls"), Ct);
        Assert.Equal((false, (decimal)limit, 0m), (standing.HasAccess, standing.Used, standing.Remaining));
    }

    [Fact]
    public async Task A_plan_change_on_one_instance_is_applied_by_another_that_had_the_plan_cached()
    {
        // An hour-long cache: only the cluster cache's invalidation can bring the new quota to the second instance.
        await using var first = await StartAsync(DatabaseProvider.Postgres, postgres, Settings(ttl: "01:00:00"));
        await using var second = first.AnotherInstance();
        var atSecond = Ingester(second, "acme");
        Assert.Equal(5m, (await atSecond.GetFromJsonAsync<EntitlementDto>(MeteringRoutes.Entitlement("api-calls"), Ct))!.Limit);

        (await Operator(first).PutAsJsonAsync(MeteringRoutes.Plan("pro"), new { currency = "USD", quotas = new[] { new { meter = "api-calls", limit = 1, enforcement = "Soft" } } }, Ct)).EnsureSuccessStatusCode();

        await Eventually.HoldsAsync(
            async () => (await atSecond.GetFromJsonAsync<EntitlementDto>(MeteringRoutes.Entitlement("api-calls"), Ct))!.Limit == 1m,
            "the second instance applies the new quota");
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Usage_counts_from_zero_again_when_the_period_resets(DatabaseProvider provider)
    {
        // Ten minutes before a month ends, with a cache that would otherwise hold the total for an hour.
        var now = DateTimeOffset.UtcNow;
        var clock = new FakeTimeProvider(new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(-10));
        var monthEnd = clock.GetUtcNow().AddMinutes(10);
        await using var host = (await ModularHost.StartAsync(provider, postgres, Settings(ttl: "01:00:00", limit: 2)))
            .WithServices(services => services.AddSingleton<TimeProvider>(clock));
        var admin = host.CreateClientAs("operator", "tenants.manage");
        (await admin.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug = "acme", name = "Acme", plan = "pro" }, Ct)).EnsureSuccessStatusCode();
        await CreateMeterAsync(host, new { key = "api-calls", name = "API calls", eventType = "api.call", aggregation = "COUNT" });
        var acme = Ingester(host, "acme");
        await SendOkAsync(acme, new[] { Event("a", time: clock.GetUtcNow()), Event("b", time: clock.GetUtcNow()) }, BatchMediaType);
        Assert.Equal(new EntitlementDto("api-calls", false, 2m, 2m, 0m, monthEnd, "Hard"), await acme.GetFromJsonAsync<EntitlementDto>(MeteringRoutes.Entitlement("api-calls"), Ct));

        clock.Advance(TimeSpan.FromMinutes(15));

        Assert.Equal(new EntitlementDto("api-calls", true, 2m, 0m, 2m, monthEnd.AddMonths(1), "Hard"), await acme.GetFromJsonAsync<EntitlementDto>(MeteringRoutes.Entitlement("api-calls"), Ct));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Entitlements_need_a_tenant_and_the_read_permission(DatabaseProvider provider)
    {
        await using var host = await StartAsync(provider, postgres, Settings(ttl: "00:00:30"));

        await (await host.CreateClient().GetAsync(MeteringRoutes.Entitlement("api-calls"), Ct)).AssertProblemAsync(HttpStatusCode.Unauthorized, ProblemTypes.Unauthorized);
        await (await Member(host, "acme", MeteringPermissions.Ingest).GetAsync(MeteringRoutes.Entitlement("api-calls"), Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await Operator(host).GetAsync(MeteringRoutes.Entitlement("api-calls"), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound); // no tenant in scope
        await (await Ingester(host, "acme").GetAsync(MeteringRoutes.Entitlement("no-such-meter"), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await Ingester(host, "acme").GetAsync($"{MeteringRoutes.Entitlements}/", Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task The_api_call_filter_meters_each_call_and_answers_429_past_a_hard_quota(DatabaseProvider provider)
    {
        await using var host = await StartAsync(provider, postgres, Settings(ttl: "01:00:00", apiCallMeter: "api-calls", limit: 3));
        var acme = Member(host, "acme", MeteringPermissions.Read);

        for (var call = 0; call < 3; call++)
        {
            Assert.Equal(HttpStatusCode.OK, (await acme.GetAsync(MeteringRoutes.Meters, Ct)).StatusCode);
        }

        var refused = await acme.GetAsync(MeteringRoutes.Meters, Ct);
        await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests, ProblemTypes.QuotaExceeded);
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), NextMonthUtc - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1));

        // The calls were recorded as usage events of the tenant (the refused one was not).
        var events = await ListEventsAsync(Ingester(host, "globex")); // globex's own calls: this one
        Assert.All(events, e => Assert.Equal("modular-api", e.Source));
        Assert.Equal(HttpStatusCode.OK, (await Member(host, "globex", MeteringPermissions.Read).GetAsync(MeteringRoutes.Meters, Ct)).StatusCode); // another tenant has its own quota
        Assert.Equal(HttpStatusCode.OK, (await Operator(host).GetAsync(MeteringRoutes.Meters, Ct)).StatusCode); // no tenant: not metered

        // Raising the quota on this instance lets the tenant through at once.
        (await Operator(host).PutAsJsonAsync(MeteringRoutes.Plan("pro"), new { currency = "USD", quotas = new[] { new { meter = "api-calls", limit = 10, enforcement = "Hard" } } }, Ct)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await acme.GetAsync(MeteringRoutes.Meters, Ct)).StatusCode);
        var acmeCalls = await ListEventsAsync(Member(host, "acme", MeteringPermissions.Read)); // itself an API call: 3 + 1 + 1
        Assert.Equal(5, acmeCalls.Count(e => e.Source == "modular-api" && e.Type == "api.call" && e.Status == UsageEventStatuses.Counted));
    }

    [Fact]
    public async Task The_api_call_filter_is_off_by_default()
    {
        await using var host = await StartAsync(DatabaseProvider.Sqlite, postgres, Settings(ttl: "00:00:30", limit: 0));
        var acme = Member(host, "acme", MeteringPermissions.Read);

        Assert.Equal(HttpStatusCode.OK, (await acme.GetAsync(MeteringRoutes.Meters, Ct)).StatusCode);
        Assert.Empty(await ListEventsAsync(acme));
    }
}
