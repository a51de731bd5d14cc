using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Modular.Kernel.Cluster;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;
using Modular.Tenants.Domain;
using Modular.Tenants.Persistence;
using Modular.Tenants.UseCases;

namespace Modular.Tenants.Directory;

/// <summary>
/// The kernel's view of tenants, for resolving every request: cached for <c>Tenancy:CacheDuration</c>, and dropped on
/// every instance as soon as a change to the tenant commits (<see cref="StaleTags"/>, through the kernel's cluster
/// cache). An entry found by id is tagged with the id, one found by slug with the slug: a change invalidates
/// both, and the slug the tenant had before.
/// </summary>
internal sealed class TenantDirectory(IServiceScopeFactory scopes, HybridCache cache, ClusterCache clusterCache, IOptions<TenancyOptions> options)
    : ITenantDirectory
{
    public async ValueTask<TenantInfo?> FindAsync(string idOrSlug, CancellationToken cancellationToken)
    {
        var key = "tenants:directory:" + idOrSlug.ToLowerInvariant();
        var tags = new[] { Guid.TryParse(idOrSlug, out var id) ? IdTag(id) : SlugTag(idOrSlug) };
        var entry = new HybridCacheEntryOptions { Expiration = options.Value.CacheDuration, LocalCacheExpiration = options.Value.CacheDuration };
        return await cache.GetOrCreateAsync(key, idOrSlug, LoadAsync, entry, tags, cancellationToken);
    }

    /// <summary>What a change to a tenant makes stale: its entries by id and by each slug it had.</summary>
    public static string[] TagsOf(Guid tenantId, params string?[] slugs) => [IdTag(tenantId), .. slugs.OfType<string>().Distinct().Select(SlugTag)];

    /// <summary>The tags of the tenants a save of <paramref name="db"/> changes, with the slug each had before.</summary>
    public static IEnumerable<string> StaleTags(TenantsDbContext db) => db.ChangeTracker.Entries<Tenant>()
        .Where(e => e.State is EntityState.Modified or EntityState.Deleted)
        .SelectMany(e => TagsOf(e.Entity.Id, e.Entity.Slug, (string?)e.OriginalValues[nameof(Tenant.Slug)]));

    /// <param name="formerSlug">A slug the tenant no longer has, which must stop resolving to it too.</param>
    public async Task ForgetAsync(Guid tenantId, string? formerSlug, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var slug = await scope.ServiceProvider.GetRequiredService<TenantsDbContext>().Tenants
            .Where(t => t.Id == tenantId).Select(t => t.Slug).FirstOrDefaultAsync(cancellationToken);
        await clusterCache.InvalidateAsync(TagsOf(tenantId, slug, formerSlug), cancellationToken);
    }

    private static string IdTag(Guid id) => $"tenant:{id:N}";

    private static string SlugTag(string slug) => "tenant-slug:" + slug.ToLowerInvariant();

    private async ValueTask<TenantInfo?> LoadAsync(string idOrSlug, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var tenants = scope.ServiceProvider.GetRequiredService<TenantsDbContext>().Tenants.AsNoTracking();
        var tenant = Guid.TryParse(idOrSlug, out var id)
            ? await tenants.FirstOrDefaultAsync(t => t.Id == id, cancellationToken)
            : await tenants.FirstOrDefaultAsync(t => t.Slug == idOrSlug, cancellationToken);
        return tenant is null || tenant.Status == TenantStatus.Deleted ? null : tenant.ToInfo();
    }

}

/// <summary>
/// A safety net behind <see cref="TenantDirectory.StaleTags"/>: drops a changed tenant from every instance's directory when
/// its integration event is handled, for a change saved some other way.
/// </summary>
public sealed class ForgetChangedTenant(ITenantDirectory directory) :
    INotificationHandler<TenantActivated>,
    INotificationHandler<TenantSuspended>,
    INotificationHandler<TenantReactivated>,
    INotificationHandler<TenantDeletionScheduled>,
    INotificationHandler<TenantPlanChanged>,
    INotificationHandler<TenantSlugChanged>,
    INotificationHandler<TenantPurged>
{
    public ValueTask Handle(TenantActivated notification, CancellationToken cancellationToken) => ForgetAsync(notification.TenantId, formerSlug: null, cancellationToken);

    public ValueTask Handle(TenantSuspended notification, CancellationToken cancellationToken) => ForgetAsync(notification.TenantId, formerSlug: null, cancellationToken);

    public ValueTask Handle(TenantReactivated notification, CancellationToken cancellationToken) => ForgetAsync(notification.TenantId, formerSlug: null, cancellationToken);

    public ValueTask Handle(TenantDeletionScheduled notification, CancellationToken cancellationToken) => ForgetAsync(notification.TenantId, formerSlug: null, cancellationToken);

    public ValueTask Handle(TenantPlanChanged notification, CancellationToken cancellationToken) => ForgetAsync(notification.TenantId, formerSlug: null, cancellationToken);

    public ValueTask Handle(TenantSlugChanged notification, CancellationToken cancellationToken) =>
        ForgetAsync(notification.TenantId, notification.OldSlug, cancellationToken);

    public ValueTask Handle(TenantPurged notification, CancellationToken cancellationToken) => ForgetAsync(notification.TenantId, formerSlug: null, cancellationToken);

    private async ValueTask ForgetAsync(Guid tenantId, string? formerSlug, CancellationToken cancellationToken)
    {
        if (directory is TenantDirectory cached)
        {
            await cached.ForgetAsync(tenantId, formerSlug, cancellationToken);
        }
    }
}
