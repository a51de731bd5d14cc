using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Modular.Features.Domain;
using Modular.Features.Persistence;
using Modular.Kernel.Cluster;

namespace Modular.Features.Evaluation;

/// <summary>
/// Every instance drops its flag catalog once a change to flags or overrides commits, however it was saved (an EF
/// interceptor on the module's context): through the kernel's cluster cache, at once here and by the cluster bus on the
/// other instances.
/// </summary>
internal sealed class FlagChangeFeed(ClusterCache cache) : SaveChangesInterceptor
{
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Note(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Note(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private void Note(DbContext? context)
    {
        if (context is FeaturesDbContext db && db.ChangeTracker.Entries().Any(e =>
                e.Entity is FeatureFlag or TenantOverride && e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted))
        {
            cache.InvalidateOnCommit(db, FlagCatalogCache.Tag);
        }
    }
}
