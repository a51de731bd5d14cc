using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Messaging;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using Modular.Metering.Admin;
using Modular.Metering.Contracts;
using static Modular.Metering.Tests.MeteringApi;

namespace Modular.Metering.Tests;

/// <summary>
/// How the console's pages read one tenant's usage from its all-tenants circuit: the console's sender sends
/// into a scope of its own entered into that tenant (<see cref="ScopedSender.SendForTenant{TResponse}"/>),
/// which sees that tenant only, on SQLite and under PostgreSQL's row-level security alike.
/// </summary>
public sealed class ConsoleTenantScopeTests(PostgresServer postgres)
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_page_reads_the_chosen_tenants_usage_and_no_other(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        var acme = await CreateTenantAsync(host, "acme");
        var globex = await CreateTenantAsync(host, "globex");
        await CreateMeterAsync(host, new { key = "api-calls", name = "API calls", eventType = "api.call", aggregation = "COUNT" });
        await SendOkAsync(Ingester(host, "acme"), new[] { Event("a-1"), Event("a-2") }, BatchMediaType);
        await SendOkAsync(Ingester(host, "globex"), new[] { Event("g-1"), Event("g-2"), Event("g-3") }, BatchMediaType);

        // The console's circuit: a platform scope, as MainLayout enters it.
        await using var circuit = host.Services.CreateAsyncScope();
        circuit.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
        var sender = circuit.ServiceProvider.GetRequiredService<ScopedSender>();
        var tenant = await circuit.ServiceProvider.FindTenantAsync(acme, Ct);
        Assert.Equal("acme", tenant?.Slug);
        Assert.Null(await circuit.ServiceProvider.FindTenantAsync(Guid.NewGuid(), Ct));

        var events = await sender.SendForTenant(tenant!, new ListUsageEvents(), Ct);
        Assert.Equal(["a-1", "a-2"], events.Select(e => e.EventId).Order());
        var from = new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date, TimeSpan.Zero).AddDays(-1);
        var usage = await sender.SendForTenant(tenant!, new QueryMeter("api-calls", from, from.AddDays(3)), Ct);
        Assert.Equal(2, Assert.Single(usage.Rows).Value);

        // The circuit itself stays platform-wide for the other pages.
        Assert.True(circuit.ServiceProvider.GetRequiredService<ITenantContext>().IsAllTenants);
        var globexInfo = (await circuit.ServiceProvider.FindTenantAsync(globex, Ct))!;
        Assert.Equal(3, Assert.Single((await sender.SendForTenant(globexInfo, new QueryMeter("api-calls", from, from.AddDays(3)), Ct)).Rows).Value);
    }
}
