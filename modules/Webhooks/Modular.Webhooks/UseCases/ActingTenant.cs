using Modular.Kernel.Errors;
using Modular.Kernel.Tenancy;

namespace Modular.Webhooks.UseCases;

/// <summary>The tenant a request that may name one (create an endpoint, send a message) acts for.</summary>
internal static class ActingTenant
{
    /// <summary>
    /// The scope's tenant (a different <paramref name="requested"/> one is not found, as if it did not exist),
    /// or in an all-tenants scope the one it names.
    /// </summary>
    public static Guid For(ITenantContext scope, Guid? requested)
    {
        if (scope.Tenant is { } tenant)
        {
            return requested is null || requested == tenant.Id ? tenant.Id : throw new NotFoundException("Tenant", requested);
        }

        if (scope.IsAllTenants && requested is { } named && named != Guid.Empty)
        {
            return named;
        }

        throw new RequestValidationException(new Dictionary<string, string[]>
        {
            ["tenantId"] = [scope.IsAllTenants ? "Name the tenant." : "No tenant is selected: sign in with a tenant or send the X-Tenant header."],
        });
    }
}
