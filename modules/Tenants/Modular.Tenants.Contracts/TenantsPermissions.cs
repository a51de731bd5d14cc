namespace Modular.Tenants.Contracts;

public static class TenantsPermissions
{
    /// <summary>Operators: read every tenant.</summary>
    public const string Read = "tenants.read";

    /// <summary>Operators: create, change, suspend and delete any tenant.</summary>
    public const string Manage = "tenants.manage";

    /// <summary>A tenant's own people: rename their tenant and change its slug (granted to tenant admins by default).</summary>
    public const string SettingsManage = "tenants.settings.manage";

    /// <summary>A tenant's own people: read their tenant's audit trail, every module's (granted to tenant admins by default).</summary>
    public const string AuditRead = "tenants.audit.read";
}
