using Mediator;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Auditing;
using Modular.Tenants.Contracts;
using Modular.Tenants.Domain;
using Modular.Tenants.Persistence;

namespace Modular.Tenants.UseCases.GetTenantsOverview;

public sealed class GetTenantsOverviewHandler(TenantsDbContext db, TenantAuditTrails trails) : IQueryHandler<Contracts.GetTenantsOverview, TenantsOverview>
{
    public async ValueTask<TenantsOverview> Handle(Contracts.GetTenantsOverview query, CancellationToken cancellationToken)
    {
        var counts = await db.Tenants.AsNoTracking().Where(t => t.Status != TenantStatus.Deleted)
            .GroupBy(t => t.Status).Select(g => new { Status = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var recent = await trails.ReadRecentAsync(Math.Clamp(query.RecentEntries, 1, 50), cancellationToken);
        var ids = recent.Select(r => r.Entry.TenantId).Where(id => id != AuditEntry.PlatformTrail).Distinct().ToList();
        var names = await db.Tenants.AsNoTracking().Where(t => ids.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, cancellationToken);
        return new TenantsOverview(
            counts.ToDictionary(c => c.Status.ToString(), c => c.Count),
            [.. recent.Select(r => new RecentAuditEntryDto(
                r.Module,
                r.Entry.TenantId == AuditEntry.PlatformTrail ? null : r.Entry.TenantId,
                names.GetValueOrDefault(r.Entry.TenantId),
                r.Entry.Action,
                r.Entry.Actor,
                r.Entry.OccurredAt))]);
    }
}
