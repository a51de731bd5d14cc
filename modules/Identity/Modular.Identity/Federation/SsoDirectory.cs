using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Kernel.Cluster;
using Modular.Kernel.Tenancy;

namespace Modular.Identity.Federation;

/// <summary>
/// Which connection an email address signs in through (home-realm discovery), whether it must, and whether a session made
/// through a connection still stands. Read across tenants in a scope of its own: the sign-in pages are anonymous, and the
/// cookie check runs inside every request, whose own scope must not be widened.
/// </summary>
public sealed class SsoDirectory(IServiceScopeFactory scopes, HybridCache cache, ClusterCache clusterCache)
{
    /// <summary>The claim a session made through a connection carries: its <see cref="SsoConnection.LoginProvider"/>.</summary>
    public const string ProviderClaim = "idp";

    public sealed record Route(Guid ConnectionId, Guid TenantId, string Name, bool EnforceSso);

    /// <summary>The enabled connection that owns <paramref name="email"/>'s domain (verified), or null.</summary>
    public async Task<Route?> FindAsync(string? email, CancellationToken cancellationToken)
    {
        if (SsoDomain.OfEmail(email) is not { } domain)
        {
            return null;
        }

        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        return await (
            from d in db.SsoDomains
            where d.Domain == domain && d.VerifiedAt != null
            join c in db.SsoConnections on d.ConnectionId equals c.Id
            where c.Enabled
            select new Route(c.Id, c.TenantId, c.Name, c.EnforceSso)).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Whether a tenant other than <paramref name="tenantId"/> has verified <paramref name="domain"/> (normalised).</summary>
    public async Task<bool> IsVerifiedByAnotherTenantAsync(string domain, Guid tenantId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
        return await scope.ServiceProvider.GetRequiredService<IdentityDbContext>().SsoDomains
            .AnyAsync(d => d.Domain == domain && d.VerifiedAt != null && d.TenantId != tenantId, cancellationToken);
    }

    /// <summary>Whether <paramref name="email"/> may sign in only through its organisation's provider.</summary>
    public async Task<bool> IsEnforcedAsync(string? email, CancellationToken cancellationToken) =>
        await FindAsync(email, cancellationToken) is { EnforceSso: true };

    /// <summary>Whether a session made through the connection named by <paramref name="loginProvider"/> still stands (cached briefly).</summary>
    public async ValueTask<bool> IsActiveAsync(string loginProvider, CancellationToken cancellationToken) =>
        await cache.GetOrCreateAsync(
            ActiveKey(loginProvider),
            async token =>
            {
                if (!loginProvider.StartsWith("sso:", StringComparison.Ordinal) || !Guid.TryParseExact(loginProvider[4..], "N", out var id))
                {
                    return false;
                }

                await using var scope = scopes.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
                return await scope.ServiceProvider.GetRequiredService<IdentityDbContext>().SsoConnections.AnyAsync(c => c.Id == id && c.Enabled, token);
            },
            new HybridCacheEntryOptions { Expiration = TimeSpan.FromSeconds(30), LocalCacheExpiration = TimeSpan.FromSeconds(30) },
            [ActiveKey(loginProvider)],
            cancellationToken);

    /// <summary>Ends the cached verdict on every instance at once, when a connection is disabled or deleted.</summary>
    public Task ForgetAsync(SsoConnection connection, CancellationToken cancellationToken) =>
        clusterCache.InvalidateAsync([ActiveKey(connection.LoginProvider)], cancellationToken);

    private static string ActiveKey(string loginProvider) => $"identity:sso-active:{loginProvider}";
}
