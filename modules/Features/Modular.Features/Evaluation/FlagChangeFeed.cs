using Microsoft.EntityFrameworkCore;
using Modular.Features.Domain;
using Modular.Features.Persistence;

namespace Modular.Features.Evaluation;

/// <summary>
/// Every instance drops its flag catalog once a change to flags or overrides commits, however it was saved: registered
/// with the kernel's <c>InvalidateCacheOnCommit</c>, which goes through the cluster cache.
/// </summary>
internal static class FlagChangeFeed
{
    public static IEnumerable<string> StaleTags(FeaturesDbContext db) =>
        db.ChangeTracker.Entries().Any(e => e.Entity is FeatureFlag or TenantOverride && e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            ? [FlagCatalogCache.Tag]
            : [];
}
