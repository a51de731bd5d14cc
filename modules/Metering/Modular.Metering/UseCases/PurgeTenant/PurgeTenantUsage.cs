using Mediator;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Tenancy;
using Modular.Metering.Persistence;
using Modular.Tenants.Contracts;

namespace Modular.Metering.UseCases.PurgeTenant;

/// <summary>
/// A purged tenant's usage goes with it: its events, rollups and distinct values, its statements, its billing
/// profile and its audit trail. Meters and plans are the platform's and stay.
/// </summary>
public sealed class PurgeTenantUsage(MeteringDbContext db, TenantScope scope) : INotificationHandler<TenantPurged>
{
    public async ValueTask Handle(TenantPurged notification, CancellationToken cancellationToken)
    {
        scope.Enter(new TenantInfo(notification.TenantId, Slug: "", Plan: "", IsSuspended: true));
        var tenantId = notification.TenantId;
        await db.UsageEvents.Where(e => e.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken);
        await db.Rollups.Where(r => r.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken);
        await db.DistinctValues.Where(v => v.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken);
        await db.Statements.Where(s => s.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken);
        await db.BillingProfiles.Where(p => p.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken);
        await db.EraseAuditTrailAsync(tenantId, cancellationToken);
    }
}
