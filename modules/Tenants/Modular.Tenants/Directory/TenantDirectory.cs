using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;
using Modular.Tenants.Domain;
using Modular.Tenants.Persistence;
using Modular.Tenants.UseCases;

namespace Modular.Tenants.Directory;

/// <summary>
/// The kernel's view of tenants, for resolving every request: cached for <c>Tenancy:CacheDuration</c>.
/// This instance forgets a tenant as soon as a change to it commits (through the outbox); other
/// instances see the change within one cache period.
/// </summary>
internal sealed class TenantDirectory(IServiceScopeFactory scopes, HybridCache cache, IOptions<TenancyOptions> options) : ITenantDirectory
{
    public async ValueTask<TenantInfo?> FindAsync(string idOrSlug, CancellationToken cancellationToken)
    {
        var key = Key(idOrSlug);
        var entry = new HybridCacheEntryOptions { Expiration = options.Value.CacheDuration, LocalCacheExpiration = options.Value.CacheDuration };
        return await cache.GetOrCreateAsync(key, idOrSlug, LoadAsync, entry, cancellationToken: cancellationToken);
    }

    /// <param name="formerSlug">A slug the tenant no longer has, which must stop resolving to it too.</param>
    public async Task ForgetAsync(Guid tenantId, string? formerSlug, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var slug = await scope.ServiceProvider.GetRequiredService<TenantsDbContext>().Tenants
            .Where(t => t.Id == tenantId).Select(t => t.Slug).FirstOrDefaultAsync(cancellationToken);
        string[] slugs = [.. new[] { slug, formerSlug }.OfType<string>()];
        await cache.RemoveAsync([Key(tenantId.ToString()), .. slugs.Select(Key)], cancellationToken);
    }

    private async ValueTask<TenantInfo?> LoadAsync(string idOrSlug, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var tenants = scope.ServiceProvider.GetRequiredService<TenantsDbContext>().Tenants.AsNoTracking();
        var tenant = Guid.TryParse(idOrSlug, out var id)
            ? await tenants.FirstOrDefaultAsync(t => t.Id == id, cancellationToken)
            : await tenants.FirstOrDefaultAsync(t => t.Slug == idOrSlug, cancellationToken);
        return tenant is null || tenant.Status == TenantStatus.Deleted ? null : tenant.ToInfo();
    }

    private static string Key(string idOrSlug) => "tenants:directory:" + idOrSlug.ToLowerInvariant();
}

/// <summary>Drops a changed tenant from this instance's cache once the change has committed.</summary>
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
