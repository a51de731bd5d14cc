using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Modular.Identity.Clients;
using Modular.Identity.Connect;
using Modular.Identity.Persistence;
using Modular.Kernel.Cluster;
using Modular.Kernel.Tenancy;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Modular.Identity.Memberships;

/// <summary>
/// The kernel's membership check for every tenant request: a user belongs to the tenants of their memberships; a
/// client (a client-credentials token) to the tenant it is bound to, while it exists and is enabled. Cached for
/// <c>Tenancy:CacheDuration</c>; every instance forgets a user or client as soon as a change to it commits (the
/// handlers call <see cref="ForgetUserAsync"/> and <see cref="ForgetClientAsync"/>, which go through the kernel's
/// cluster cache).
/// </summary>
internal sealed class MembershipDirectory(IServiceScopeFactory scopes, HybridCache cache, IOptions<TenancyOptions> options) : IMembershipDirectory
{
    public async ValueTask<bool> IsMemberAsync(ClaimsPrincipal caller, TenantInfo tenant, CancellationToken cancellationToken)
    {
        var subject = caller.FindFirst(Claims.Subject)?.Value;
        if (subject is null)
        {
            return false;
        }

        var entry = new HybridCacheEntryOptions { Expiration = options.Value.CacheDuration, LocalCacheExpiration = options.Value.CacheDuration };
        if (TokenClaims.IsClientToken(caller))
        {
            var binding = await cache.GetOrCreateAsync(ClientKey(subject), subject, LoadClientBindingAsync, entry, [ClientKey(subject)], cancellationToken);
            return binding.Length > 0 && (binding == tenant.Id.ToString() || binding == tenant.Slug);
        }

        if (!Guid.TryParse(subject, out var userId))
        {
            return false;
        }

        var tenants = await cache.GetOrCreateAsync(UserKey(userId), userId, LoadUserTenantsAsync, entry, [UserKey(userId)], cancellationToken);
        return tenants.Contains(tenant.Id);
    }

    // Each entry is tagged with its own key: a tag, unlike a removed key, also stops a load already under way.
    public static Task ForgetUserAsync(ClusterCache cache, Guid userId, CancellationToken cancellationToken) =>
        cache.InvalidateAsync([UserKey(userId)], cancellationToken);

    public static Task ForgetClientAsync(ClusterCache cache, string clientId, CancellationToken cancellationToken) =>
        cache.InvalidateAsync([ClientKey(clientId)], cancellationToken);

    private async ValueTask<Guid[]> LoadUserTenantsAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants(); // a user's memberships span tenants
        return await scope.ServiceProvider.GetRequiredService<IdentityDbContext>().Memberships.AsNoTracking()
            .Where(m => m.UserId == userId).Select(m => m.TenantId).ToArrayAsync(cancellationToken);
    }

    /// <summary>The tenant (id or slug) the client acts for; empty when it has none, is disabled or is gone.</summary>
    private async ValueTask<string> LoadClientBindingAsync(string clientId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        if (await applications.FindByClientIdAsync(clientId, cancellationToken) is not { } application)
        {
            return "";
        }

        var properties = await applications.GetPropertiesAsync(application, cancellationToken);
        return !properties.ContainsKey(ClientRegistration.DisabledPermissionsProperty) && properties.TryGetValue(ClientRegistration.TenantProperty, out var tenant)
            ? tenant.GetString() ?? ""
            : "";
    }

    private static string UserKey(Guid userId) => "identity:memberships:user:" + userId.ToString("N");

    private static string ClientKey(string clientId) => "identity:memberships:client:" + clientId;
}
