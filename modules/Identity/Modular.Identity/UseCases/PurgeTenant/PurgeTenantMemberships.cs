using Mediator;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Modular.Identity.Clients;
using Modular.Identity.Persistence;
using Modular.Kernel.Cluster;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.PurgeTenant;

/// <summary>
/// A purged tenant's memberships, custom roles, invitations, API keys (their clients and tokens), SSO connections (their
/// domains, and its people's links to them), sign-up record and audit trail go with it; the users themselves stay (they may
/// belong elsewhere).
/// </summary>
public sealed class PurgeTenantMemberships(IdentityDbContext db, TenantScope scope, IOpenIddictApplicationManager applications, ClusterCache cache)
    : INotificationHandler<TenantPurged>
{
    public async ValueTask Handle(TenantPurged notification, CancellationToken cancellationToken)
    {
        scope.Enter(new TenantInfo(notification.TenantId, Slug: "", Plan: "", IsSuspended: true));
        await db.Memberships.Where(m => m.TenantId == notification.TenantId).ExecuteDeleteAsync(cancellationToken);
        await db.TenantRoles.Where(r => r.TenantId == notification.TenantId).ExecuteDeleteAsync(cancellationToken);
        await db.SignUps.Where(s => s.TenantId == notification.TenantId).ExecuteDeleteAsync(cancellationToken);
        await db.Invitations.Where(i => i.TenantId == notification.TenantId).ExecuteDeleteAsync(cancellationToken);
        var providers = (await db.SsoConnections.Where(c => c.TenantId == notification.TenantId).Select(c => c.Id).ToListAsync(cancellationToken))
            .Select(id => Domain.SsoConnection.LoginProviderOf(id)).ToList();
        await db.Set<IdentityUserLogin<Guid>>().Where(l => providers.Contains(l.LoginProvider)).ExecuteDeleteAsync(cancellationToken);
        await db.SsoDomains.Where(d => d.TenantId == notification.TenantId).ExecuteDeleteAsync(cancellationToken);
        await db.SsoConnections.Where(c => c.TenantId == notification.TenantId).ExecuteDeleteAsync(cancellationToken);
        // Users are platform-wide: only their memory of the tenant goes.
        await db.Users.Where(u => u.PreferredTenantId == notification.TenantId)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.PreferredTenantId, (Guid?)null), cancellationToken);
        foreach (var clientId in await db.TenantApiKeys.Where(k => k.TenantId == notification.TenantId).Select(k => k.ClientId).ToListAsync(cancellationToken))
        {
            if (await applications.FindByClientIdAsync(clientId, cancellationToken) is { } application)
            {
                await applications.DeleteClientAsync(cache, application, clientId, cancellationToken);
            }
        }

        await db.TenantApiKeys.Where(k => k.TenantId == notification.TenantId).ExecuteDeleteAsync(cancellationToken);
        await db.EraseAuditTrailAsync(notification.TenantId, cancellationToken);
    }
}
