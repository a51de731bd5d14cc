using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Tenancy;

namespace Modular.Metering.Admin;

/// <summary>
/// The tenant a metering page is about. The console's circuit works across all tenants, but usage is
/// answered per tenant: a page sends its queries into the tenant found here with
/// <see cref="Kernel.Messaging.ScopedSender.SendForTenant{TResponse}"/>.
/// </summary>
internal static class ConsoleTenants
{
    /// <summary>The tenant as the tenants module knows it (plan, slug), or null when it does not exist or that module is off.</summary>
    public static async Task<TenantInfo?> FindTenantAsync(this IServiceProvider services, Guid tenantId, CancellationToken cancellationToken = default) =>
        services.GetService<ITenantDirectory>() is { } directory ? await directory.FindAsync(tenantId.ToString(), cancellationToken) : null;
}
