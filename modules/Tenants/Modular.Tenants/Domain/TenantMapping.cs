using Modular.Tenants.Contracts;

namespace Modular.Tenants.Domain;

internal static class TenantMapping
{
    public static TenantDto ToDto(this Tenant tenant) =>
        new(tenant.Id, tenant.Slug, tenant.Name, tenant.Plan, tenant.Status.ToString(), tenant.CreatedAt);
}
