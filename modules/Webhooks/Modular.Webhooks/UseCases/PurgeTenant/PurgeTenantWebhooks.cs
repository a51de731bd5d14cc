using Mediator;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;
using Modular.Webhooks.Persistence;

namespace Modular.Webhooks.UseCases.PurgeTenant;

/// <summary>A purged tenant's endpoints, messages, deliveries, attempts and audit trail go with it.</summary>
public sealed class PurgeTenantWebhooks(WebhooksDbContext db, TenantScope scope) : INotificationHandler<TenantPurged>
{
    public async ValueTask Handle(TenantPurged notification, CancellationToken cancellationToken)
    {
        scope.Enter(new TenantInfo(notification.TenantId, Slug: "", Plan: "", IsSuspended: true));
        var tenantId = notification.TenantId;
        await db.Attempts.Where(a => a.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken);
        await db.Deliveries.Where(d => d.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken);
        await db.Messages.Where(m => m.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken);
        await db.Endpoints.Where(e => e.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken);
        await db.EraseAuditTrailAsync(tenantId, cancellationToken);
    }
}
