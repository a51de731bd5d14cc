namespace Modular.Identity.Contracts;

public static class IdentityPermissions
{
    public const string UsersRead = "identity.users.read";
    public const string UsersManage = "identity.users.manage";
    public const string ClientsManage = "identity.clients.manage";
}

/// <summary>Role names the platform knows. Tenant roles are held per membership; platform roles per user.</summary>
public static class IdentityRoles
{
    /// <summary>Operators of the whole platform: the admin console and every platform API.</summary>
    public const string PlatformAdmin = "platform-admin";

    /// <summary>Manages one tenant: its users, settings and integrations.</summary>
    public const string TenantAdmin = "tenant-admin";

    /// <summary>Uses one tenant.</summary>
    public const string Member = "member";
}
