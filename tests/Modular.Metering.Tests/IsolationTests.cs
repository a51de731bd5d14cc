using System.Net;
using System.Net.Http.Json;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using Modular.Metering.Contracts;
using static Modular.Metering.Tests.MeteringApi;

namespace Modular.Metering.Tests;

/// <summary>Tenant isolation from the attacker's side: usage is the caller's tenant's only, whatever the request says.</summary>
public sealed class IsolationTests(PostgresServer postgres)
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_tenant_neither_reads_nor_writes_another_tenants_usage(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        await CreateTenantAsync(host, "acme");
        var globexId = await CreateTenantAsync(host, "globex");
        await CreateMeterAsync(host, new { key = "api-calls", name = "API calls", eventType = "api.call", aggregation = "COUNT" });
        var alice = Ingester(host, "acme");
        var bob = Ingester(host, "globex");

        await SendOkAsync(bob, new[] { Event("b-1"), Event("b-2") }, BatchMediaType);
        var bobsEvent = Assert.Single(await ListEventsAsync(bob, "?limit=1"));

        // Alice sends an event with Bob's id and a body that names his tenant: it is hers, and counted apart.
        var spoof = Event("b-1");
        spoof["tenant"] = globexId.ToString();
        spoof["tenantid"] = "globex";
        Assert.Equal(1, (await SendOkAsync(alice, spoof)).Stored);

        Assert.Equal(["b-1"], (await ListEventsAsync(alice)).Select(e => e.EventId));
        Assert.Equal(1, Assert.Single((await QueryAsync(alice, "api-calls", AroundNow())).Rows).Value);
        Assert.Equal(2, Assert.Single((await QueryAsync(bob, "api-calls", AroundNow())).Rows).Value);

        // Bob's event by id is not found for Alice; she cannot pick his tenant by header.
        await (await alice.GetAsync(MeteringRoutes.Event(bobsEvent.Id), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync(MeteringRoutes.Event(bobsEvent.Id), Ct)).StatusCode);
        var viaHeader = new HttpRequestMessage(HttpMethod.Get, $"{MeteringRoutes.MeterQuery("api-calls")}?{AroundNow()}");
        viaHeader.Headers.Add(TenantResolution.Header, "globex");
        await (await alice.SendAsync(viaHeader, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        var writeViaHeader = new HttpRequestMessage(HttpMethod.Post, MeteringRoutes.Events) { Content = JsonContent.Create(Event("x-1")) };
        writeViaHeader.Headers.Add(TenantResolution.Header, globexId.ToString());
        await (await alice.SendAsync(writeViaHeader, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        Assert.Equal(2, (await ListEventsAsync(bob)).Count);
    }

    [Fact]
    public async Task Reading_usage_needs_the_read_permission()
    {
        await using var host = ModularHost.OnSqlite();
        await CreateTenantAsync(host, "acme");
        await CreateMeterAsync(host, new { key = "api-calls", name = "API calls", eventType = "api.call", aggregation = "COUNT" });
        var ingestOnly = Member(host, "acme", MeteringPermissions.Ingest);

        await (await ingestOnly.GetAsync(MeteringRoutes.Events, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await ingestOnly.GetAsync(MeteringRoutes.Event(Guid.NewGuid()), Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await ingestOnly.GetAsync($"{MeteringRoutes.MeterQuery("api-calls")}?{AroundNow()}", Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await host.CreateClient().GetAsync($"{MeteringRoutes.MeterQuery("api-calls")}?{AroundNow()}", Ct)).AssertProblemAsync(HttpStatusCode.Unauthorized, ProblemTypes.Unauthorized);
        await (await Ingester(host, "acme").GetAsync($"{MeteringRoutes.Events}?status=Lost", Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation);
        await (await Ingester(host, "acme").GetAsync($"{MeteringRoutes.Events}?limit=0", Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Modules_record_usage_through_the_mediator_for_the_tenant_in_scope(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        var acme = await CreateTenantAsync(host, "acme");
        await CreateMeterAsync(host, new { key = "api-calls", name = "API calls", eventType = "api.call", aggregation = "COUNT" });

        await using (var scope = host.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(new TenantInfo(acme, "acme", "free", false));
            var sender = scope.ServiceProvider.GetRequiredService<ISender>();
            var usage = new UsageEvent("1.0", "in-process-1", "orders", "api.call", "customer-1");
            Assert.Equal(new UsageRecorded(1, 1, 0), await sender.Send(new RecordUsage([usage]), Ct));
            Assert.Equal(new UsageRecorded(1, 0, 1), await sender.Send(new RecordUsage([usage]), Ct));
            var invalid = await Assert.ThrowsAsync<RequestValidationException>(async () => await sender.Send(new RecordUsage([usage with { Source = null }]), Ct));
            Assert.Contains("source", invalid.Errors.Keys);
        }

        await using (var outside = host.Services.CreateAsyncScope())
        {
            var sender = outside.ServiceProvider.GetRequiredService<ISender>();
            await Assert.ThrowsAsync<NotFoundException>(async () => await sender.Send(new RecordUsage([new UsageEvent("1.0", "x", "orders", "api.call")]), Ct));
        }

        Assert.Equal(1, Assert.Single((await QueryAsync(Ingester(host, "acme"), "api-calls", AroundNow())).Rows).Value);
    }
}
