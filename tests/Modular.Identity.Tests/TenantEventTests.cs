using Modular.Identity.Contracts;
using Modular.Kernel.Persistence;
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
}
