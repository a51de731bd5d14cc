namespace Modular.Identity.Contracts;

public static class IdentityPermissions
{
    public const string UsersRead = "identity.users.read";
    public const string UsersManage = "identity.users.manage";
    public const string ClientsManage = "identity.clients.manage";

    /// <summary>In the caller's tenant: see its members and roles.</summary>
    public const string MembersRead = "identity.members.read";

    /// <summary>In the caller's tenant: change members' roles, remove members.</summary>
    public const string MembersManage = "identity.members.manage";

    /// <summary>In the caller's tenant: create, change and delete its custom roles.</summary>
    public const string RolesManage = "identity.roles.manage";

    /// <summary>In the caller's tenant: create, change, rotate and revoke its API keys.</summary>
    public const string ApiKeysManage = "identity.api-keys.manage";

    /// <summary>In the caller's tenant: its SSO connections and the domains they claim.</summary>
    public const string SsoManage = "identity.sso.manage";

    /// <summary>Vouch that a tenant owns a domain without its DNS record: operators only, or a tenant could claim anyone's domain.</summary>
    public const string SsoDomainsConfirm = "identity.sso.domains.confirm";

    /// <summary>
    /// Make and unmake a tenant's owners. Only the owner role (and operators) hold it, so through the rule that nobody
    /// grants what they do not hold, an admin can neither make an owner nor demote or remove one.
    /// </summary>
    public const string OwnersManage = "identity.owners.manage";
}

/// <summary>Role names the platform knows. Tenant roles are held per membership; platform roles per user.</summary>
public static class IdentityRoles
{
    /// <summary>Operators of the whole platform: the admin console and every platform API.</summary>
    public const string PlatformAdmin = "platform-admin";

    /// <summary>Owns one tenant: an admin who also makes and unmakes owners. A tenant that has owners keeps at least one.</summary>
    public const string Owner = "owner";

    /// <summary>Manages one tenant: its users, settings and integrations (the built-in "admin").</summary>
    public const string TenantAdmin = "tenant-admin";

    /// <summary>Uses one tenant.</summary>
    public const string Member = "member";
}
