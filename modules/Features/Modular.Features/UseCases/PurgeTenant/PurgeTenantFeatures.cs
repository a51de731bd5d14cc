using Mediator;
using Microsoft.EntityFrameworkCore;
using Modular.Features.Persistence;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;

namespace Modular.Features.UseCases.PurgeTenant;

/// <summary>
/// A purged tenant's overrides, its lines of flag history and its audit trail go with it; the flags are the
/// platform's. The overrides are removed through the change tracker, so every instance drops the flag catalog
/// that held them (<see cref="Evaluation.FlagChangeFeed"/>).
/// </summary>
public sealed class PurgeTenantFeatures(FeaturesDbContext db, TenantScope scope) : INotificationHandler<TenantPurged>
{
    public async ValueTask Handle(TenantPurged notification, CancellationToken cancellationToken)
    {
        scope.Enter(new TenantInfo(notification.TenantId, Slug: "", Plan: "", IsSuspended: true));
        var tenantId = notification.TenantId;
        db.Overrides.RemoveRange(await db.Overrides.Where(o => o.TenantId == tenantId).ToListAsync(cancellationToken));
        await db.CommitAsync(cancellationToken);
        await db.Changes.Where(c => c.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken);
        await db.EraseAuditTrailAsync(tenantId, cancellationToken);
    }
}
