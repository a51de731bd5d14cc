using System.Net.Http.Json;
using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using Modular.Features.Contracts;
using Modular.Kernel.Auditing;
using Modular.Kernel.Messaging;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;

namespace Modular.Admin.Tests;

/// <summary>
/// The console's sender on the real host, without a browser. A scope stands in for the circuit: it lives
/// across operations, as a browser tab does, and holds what the layout establishes (tenant scope, operator).
/// </summary>
public sealed class ScopedSenderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_send_reads_the_database_as_it_is_now_not_as_the_circuit_saw_it()
    {
        await using var host = ModularHost.OnSqlite();
        await using var circuit = PlatformCircuit(host);
        var sender = circuit.ServiceProvider.GetRequiredService<ScopedSender>();
        await sender.Send(new CreateFlag("fresh.search"), Ct);
        Assert.True((await sender.Send(new GetFlag("fresh.search"), Ct)).Enabled);

        using (var api = host.CreateClientAs("someone-else", FeaturesPermissions.Manage))
        {
            using var killed = await api.PutAsJsonAsync(FeaturesRoutes.FlagEnabled("fresh.search"), new { enabled = false, reason = "incident" }, Ct);
            Assert.True(killed.IsSuccessStatusCode, await killed.Content.ReadAsStringAsync(Ct));
        }

        var flag = await sender.Send(new GetFlag("fresh.search"), Ct);
        Assert.Equal((false, 2), (flag.Enabled, flag.Version));
    }

    [Fact]
    public async Task A_command_from_the_console_is_audited_under_the_circuits_operator_and_address()
    {
        await using var host = ModularHost.OnSqlite();
        await using var circuit = PlatformCircuit(host);
        var caller = circuit.ServiceProvider.GetRequiredService<CallerScope>();
        caller.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "ops@example.com"), new Claim("sub", "ops-1")], "console"));
        caller.Address = "203.0.113.7";
        var sender = circuit.ServiceProvider.GetRequiredService<ScopedSender>();

        var tenant = await sender.Send(new CreateTenant("scoped-acme", "Scoped Acme"), Ct);

        var created = Assert.Single((await sender.Send(new GetTenantAuditTrail(tenant.Id), Ct)).Entries);
        Assert.Equal(("tenant.created", "ops@example.com (ops-1)", "203.0.113.7"), (created.Action, created.Actor, created.ActorAddress));
    }

    [Fact]
    public async Task A_circuit_in_one_tenants_scope_sends_into_that_tenant()
    {
        await using var host = ModularHost.OnSqlite();
        TenantDto acme;
        await using (var platform = PlatformCircuit(host))
        {
            acme = await platform.ServiceProvider.GetRequiredService<ScopedSender>().Send(new CreateTenant("circuit-acme", "Circuit Acme"), Ct);
        }

        await using var circuit = host.Services.CreateAsyncScope();
        circuit.ServiceProvider.GetRequiredService<TenantScope>().Enter(new TenantInfo(acme.Id, acme.Slug, acme.Plan, IsSuspended: false));

        var current = await circuit.ServiceProvider.GetRequiredService<ScopedSender>().Send(new GetCurrentTenant(), Ct);
        Assert.Equal("circuit-acme", current.Slug);
    }

    /// <summary>A scope as the console's layout leaves it: across all tenants.</summary>
    private static AsyncServiceScope PlatformCircuit(ModularHost host)
    {
        var circuit = host.Services.CreateAsyncScope();
        circuit.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
        return circuit;
    }
}
