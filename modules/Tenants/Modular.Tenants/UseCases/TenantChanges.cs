using Modular.Kernel.Auditing;
using Modular.Tenants.Contracts;
using Modular.Tenants.Domain;
using Modular.Tenants.Persistence;

namespace Modular.Tenants.UseCases;

/// <summary>Changes made alike by an operator and by the tenant's own admins, each published and audited the one way.</summary>
internal static class TenantChanges
{
    /// <summary>Renames <paramref name="tenant"/> unless the (trimmed) name is what it already has.</summary>
    public static void Rename(this TenantsDbContext db, Tenant tenant, string name, ICaller caller, DateTimeOffset now)
    {
        if (name.Trim() == tenant.Name)
        {
            return;
        }

        var old = tenant.Name;
        tenant.Rename(name);
        db.Publish(new TenantRenamed(tenant.Id, old, tenant.Name), now);
        db.Audit(tenant.Id, caller, "tenant.renamed", tenant.AuditTarget(), new { old, @new = tenant.Name }, now);
    }
}
