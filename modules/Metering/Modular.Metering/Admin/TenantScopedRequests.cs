using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Tenancy;

namespace Modular.Metering.Admin;

/// <summary>
/// The console's circuit works across all tenants, but usage is answered per tenant: the metering
/// handlers read only the tenant in scope. A page sends its request from a child DI scope entered into
/// the chosen tenant's scope, so the handlers (and PostgreSQL's row-level security) see exactly that
/// tenant, while the circuit itself stays platform-wide for the other pages.
/// </summary>
internal static class TenantScopedRequests
{
    /// <summary>The tenant as the tenants module knows it (plan, slug), or null when it does not exist or that module is off.</summary>
    public static async Task<TenantInfo?> FindTenantAsync(this IServiceProvider services, Guid tenantId, CancellationToken cancellationToken = default) =>
        services.GetService<ITenantDirectory>() is { } directory ? await directory.FindAsync(tenantId.ToString(), cancellationToken) : null;

    public static async Task<TResponse> SendForTenantAsync<TResponse>(this IServiceScopeFactory scopes, TenantInfo tenant, IQuery<TResponse> query, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(tenant);
        return await scope.ServiceProvider.GetRequiredService<ISender>().Send(query, cancellationToken);
    }
}
