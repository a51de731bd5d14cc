namespace Modular.Tenants.Contracts;

/// <summary>
/// The module's paths, written once: its endpoints map their groups from these, and tests, other modules'
/// console pages and <c>Location</c> headers build their links with them.
/// </summary>
public static class TenantsRoutes
{
    /// <summary>Platform operators' API: every tenant.</summary>
    public const string Tenants = "/api/v1/tenants";

    /// <summary>A tenant's members' API: their own tenant, as resolved from their token.</summary>
    public const string CurrentTenant = "/api/v1/tenant";

    /// <summary>The console's tenant list.</summary>
    public const string ConsoleTenants = "/admin/tenants";

    public static string Tenant(Guid id) => $"{Tenants}/{id}";

    public static string Suspend(Guid id) => $"{Tenant(id)}/suspend";

    public static string Reactivate(Guid id) => $"{Tenant(id)}/reactivate";

    public static string Activate(Guid id) => $"{Tenant(id)}/activate";

    /// <summary>Whether a slug is free (anonymous: sign-up forms ask it).</summary>
    public const string SlugAvailability = "/api/v1/tenant-slugs/availability";

    public static string AuditTrail(Guid id) => $"{Tenant(id)}/audit";

    public const string CurrentAuditTrail = CurrentTenant + "/audit";

    public static string CurrentAuditEntry(Guid id) => $"{CurrentAuditTrail}/{id}";

    /// <summary>The caller's tenant's audit log across every module (<c>GET</c>, <c>tenants.audit.read</c>).</summary>
    public const string CurrentAuditLog = CurrentTenant + "/audit-log";

    public static string ConsoleTenant(Guid id) => $"{ConsoleTenants}/{id}";

    /// <summary>The organization area's page of the tenant's own settings (name, slug).</summary>
    public const string OrganizationSettings = "/org/settings";

    /// <summary>The organization area's page of the tenant's audit trail, every module's entries.</summary>
    public const string OrganizationAudit = "/org/audit";
}
