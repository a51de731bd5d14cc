using System.Net;
using System.Net.Http.Json;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using Modular.Metering.Contracts;
using static Modular.Metering.Tests.MeteringApi;

namespace Modular.Metering.Tests;

/// <summary>The event debugger across tenants: platform operators who may read usage, and nobody else.</summary>
public sealed class PlatformUsageEventsTests(PostgresServer postgres)
{

    private static HttpClient PlatformReader(ModularHost host) =>
        host.CreateClientAs("operator", PlatformPermissions.Admin, MeteringPermissions.Read);

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_platform_operator_lists_every_tenants_events_and_narrows_them_by_tenant_status_and_type(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        var acme = await CreateTenantAsync(host, "acme");
        var globex = await CreateTenantAsync(host, "globex");
        await CreateMeterAsync(host, new { key = "tokens", name = "Tokens", eventType = "llm.call", aggregation = "SUM", valuePath = "$.tokens" });
        await SendOkAsync(Ingester(host, "acme"), new[] { Event("a-1", "llm.call", new { tokens = 5 }), Event("a-2", "llm.call", new { tokens = "many" }) }, BatchMediaType);
        await SendOkAsync(Ingester(host, "globex"), Event("g-1", "api.call"));
        var client = PlatformReader(host);

        var all = (await client.GetFromJsonAsync<List<TenantUsageEventDto>>(MeteringRoutes.PlatformEvents, Ct))!;
        Assert.Equal(
            [(acme, "a-1", UsageEventStatuses.Counted), (acme, "a-2", UsageEventStatuses.Invalid), (globex, "g-1", UsageEventStatuses.Unmatched)],
            all.Select(e => (e.TenantId, e.Event.EventId, e.Event.Status)).OrderBy(e => e.EventId));
        Assert.Equal("g-1", all[0].Event.EventId); // newest first

        var globexOnly = (await client.GetFromJsonAsync<List<TenantUsageEventDto>>($"{MeteringRoutes.PlatformEvents}?tenantId={globex}", Ct))!;
        Assert.Equal(["g-1"], globexOnly.Select(e => e.Event.EventId));
        var invalid = Assert.Single((await client.GetFromJsonAsync<List<TenantUsageEventDto>>($"{MeteringRoutes.PlatformEvents}?status=Invalid", Ct))!);
        Assert.Equal(("a-2", acme), (invalid.Event.EventId, invalid.TenantId));
        Assert.NotNull(invalid.Event.ValidationError);
        Assert.Equal("many", invalid.Event.Data!.Value.GetProperty("tokens").GetString());
        Assert.Equal(["g-1"], (await client.GetFromJsonAsync<List<TenantUsageEventDto>>($"{MeteringRoutes.PlatformEvents}?type=api.call", Ct))!.Select(e => e.Event.EventId));
        Assert.Single((await client.GetFromJsonAsync<List<TenantUsageEventDto>>($"{MeteringRoutes.PlatformEvents}?limit=1", Ct))!);
        Assert.Empty((await client.GetFromJsonAsync<List<TenantUsageEventDto>>($"{MeteringRoutes.PlatformEvents}?tenantId={Guid.NewGuid()}", Ct))!);
    }

    [Fact]
    public async Task Only_platform_operators_who_may_read_usage_list_across_tenants_and_bad_filters_are_400()
    {
        await using var host = ModularHost.OnSqlite();
        await CreateTenantAsync(host, "acme");
        await SendOkAsync(Ingester(host, "acme"), Event("a-1"));

        await (await host.CreateClient().GetAsync(MeteringRoutes.PlatformEvents, Ct)).AssertProblemAsync(HttpStatusCode.Unauthorized, ProblemTypes.Unauthorized);
        // A tenant's own reader (even of this tenant), and a platform admin who may not read usage: 403.
        await (await Ingester(host, "acme").GetAsync(MeteringRoutes.PlatformEvents, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await host.CreateClientAs("operator", PlatformPermissions.Admin).GetAsync(MeteringRoutes.PlatformEvents, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await host.CreateClientAs("reader", MeteringPermissions.Read).GetAsync(MeteringRoutes.PlatformEvents, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);

        var client = PlatformReader(host);
        (await (await client.GetAsync($"{MeteringRoutes.PlatformEvents}?status=Lost", Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("status");
        (await (await client.GetAsync($"{MeteringRoutes.PlatformEvents}?limit=0", Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("limit");
        (await (await client.GetAsync($"{MeteringRoutes.PlatformEvents}?limit=501", Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("limit");
        (await (await client.GetAsync($"{MeteringRoutes.PlatformEvents}?type={new string('t', 1000)}", Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("type");
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"{MeteringRoutes.PlatformEvents}?tenantId=not-a-guid", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"{MeteringRoutes.PlatformEvents}?limit=many", Ct)).StatusCode);
    }

    [Fact]
    public async Task In_a_tenants_scope_or_none_the_platform_listing_answers_nothing()
    {
        await using var host = ModularHost.OnSqlite();
        var acme = await CreateTenantAsync(host, "acme");
        await SendOkAsync(Ingester(host, "acme"), Event("a-1"));

        await using (var tenantScope = host.Services.CreateAsyncScope())
        {
            tenantScope.ServiceProvider.GetRequiredService<TenantScope>().Enter(new TenantInfo(acme, "acme", "free", false));
            var sender = tenantScope.ServiceProvider.GetRequiredService<ISender>();
            await Assert.ThrowsAsync<NotFoundException>(async () => await sender.Send(new ListPlatformUsageEvents(), Ct));
        }

        await using (var noScope = host.Services.CreateAsyncScope())
        {
            var sender = noScope.ServiceProvider.GetRequiredService<ISender>();
            await Assert.ThrowsAsync<NotFoundException>(async () => await sender.Send(new ListPlatformUsageEvents(), Ct));
        }

        await using (var platform = host.Services.CreateAsyncScope())
        {
            platform.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
            var sender = platform.ServiceProvider.GetRequiredService<ISender>();
            Assert.Equal(acme, Assert.Single(await sender.Send(new ListPlatformUsageEvents(), Ct)).TenantId);
        }
    }
}
