using Mediator;
using Microsoft.EntityFrameworkCore;
using Modular.Identity.Persistence;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;

namespace Modular.Identity.UseCases.PurgeTenant;

/// <summary>A purged tenant's memberships, custom roles, invitations, sign-up record and audit trail go with it; the users themselves stay (they may belong elsewhere).</summary>
public sealed class PurgeTenantMemberships(IdentityDbContext db, TenantScope scope) : INotificationHandler<TenantPurged>
{
    public async ValueTask Handle(TenantPurged notification, CancellationToken cancellationToken)
    {
        scope.Enter(new TenantInfo(notification.TenantId, Slug: "", Plan: "", IsSuspended: true));
        await db.Memberships.Where(m => m.TenantId == notification.TenantId).ExecuteDeleteAsync(cancellationToken);
        await db.TenantRoles.Where(r => r.TenantId == notification.TenantId).ExecuteDeleteAsync(cancellationToken);
        await db.SignUps.Where(s => s.TenantId == notification.TenantId).ExecuteDeleteAsync(cancellationToken);
        await db.Invitations.Where(i => i.TenantId == notification.TenantId).ExecuteDeleteAsync(cancellationToken);
        await db.EraseAuditTrailAsync(notification.TenantId, cancellationToken);
    }
}
