using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Modular.Identity.Contracts;
using Modular.Identity.Persistence;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;

namespace Modular.Identity.Tests;

/// <summary>Identity reacts to the tenants module's integration events, and answers its questions.</summary>
public sealed class TenantEventTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_purged_tenant_loses_its_memberships_and_no_other_does(DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres);
        Assert.Equal(1, await oidc.SendAsync(new CountTenantMembers(oidc.Acme.Id)));

        await oidc.SendAsync(new ScheduleTenantDeletion(oidc.Acme.Id, RetentionDays: 0));
        await oidc.SendAsync(new PurgeTenant(oidc.Acme.Id));

        await Eventually.HoldsAsync(async () => await oidc.SendAsync(new CountTenantMembers(oidc.Acme.Id)) == 0, "memberships removed after TenantPurged");
        Assert.Equal(0, await oidc.SendAsync(new CountTenantMembers(oidc.Globex.Id)));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_purged_tenant_loses_its_sso_connections_their_domains_and_logins_and_no_other_does(DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres);
        var acme = await ConnectAsync(oidc, oidc.Acme.Id, "acme.example");
        var globex = await ConnectAsync(oidc, oidc.Globex.Id, "globex.example");

        await oidc.SendAsync(new ScheduleTenantDeletion(oidc.Acme.Id, RetentionDays: 0));
        await oidc.SendAsync(new PurgeTenant(oidc.Acme.Id));

        await Eventually.HoldsAsync(async () => await SsoRowsAsync(oidc, acme) == (0, 0, 0), "acme's connection, domain and login removed after TenantPurged");
        Assert.Equal((1, 1, 1), await SsoRowsAsync(oidc, globex));
    }

    /// <summary>A connection with a verified domain and one person linked to it, written as the platform would store them.</summary>
    private static async Task<Domain.SsoConnection> ConnectAsync(OidcHost oidc, Guid tenantId, string domain)
    {
        await using var scope = oidc.Host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        var now = DateTimeOffset.UtcNow;
        var connection = Domain.SsoConnection.Create(tenantId, now);
        connection.Define("IdP", "https://idp.example/", "client", "protected", ["email"], ("email", "name", "groups"), [], enforceSso: false, enabled: true, now);
        var claimed = Domain.SsoDomain.Claim(tenantId, connection.Id, domain, now);
        claimed.Verify("dns", now);
        db.SsoConnections.Add(connection);
        db.SsoDomains.Add(claimed);
        var user = await db.Users.FirstAsync(Ct);
        db.Set<IdentityUserLogin<Guid>>().Add(new IdentityUserLogin<Guid> { LoginProvider = connection.LoginProvider, ProviderKey = $"sub-{domain}", UserId = user.Id });
        await db.SaveChangesAsync(Ct);
        return connection;
    }

    private static async Task<(int Connections, int Domains, int Logins)> SsoRowsAsync(OidcHost oidc, Domain.SsoConnection connection)
    {
        await using var scope = oidc.Host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        return (await db.SsoConnections.CountAsync(c => c.Id == connection.Id, Ct),
            await db.SsoDomains.CountAsync(d => d.ConnectionId == connection.Id, Ct),
            await db.Set<IdentityUserLogin<Guid>>().CountAsync(l => l.LoginProvider == connection.LoginProvider, Ct));
    }
}
