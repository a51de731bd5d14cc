using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Modular.Identity.Configuration;
using Modular.Identity.Contracts;
using Modular.Kernel.Security;
using Modular.Metering.Contracts;
using Modular.Tenants.Contracts;
using Modular.Webhooks.Contracts;

namespace Modular.Identity.Tests;

/// <summary>Roles become permissions from configuration, which replaces a role's defaults instead of adding to them.</summary>
public sealed class RolePermissionTests
{
    [Fact]
    public async Task A_configured_role_replaces_its_default_grant_and_other_roles_keep_theirs()
    {
        await using var host = ModularHost.OnSqlite(new Dictionary<string, string?>
        {
            ["Identity:RolePermissions:platform-admin:0"] = PlatformPermissions.Admin,
            ["Identity:RolePermissions:platform-admin:1"] = TenantsPermissions.Read,
            ["Identity:RolePermissions:auditor:0"] = TenantsPermissions.Read,
        });
        var settings = host.Services.GetRequiredService<IOptions<IdentitySettings>>().Value;

        // An operator took tenants.manage away from platform admins: it is gone, not appended to.
        Assert.Equal([PlatformPermissions.Admin, TenantsPermissions.Read], settings.PermissionsOf([IdentityRoles.PlatformAdmin]).Order(StringComparer.Ordinal));
        Assert.Equal([TenantsPermissions.Read], settings.PermissionsOf(["auditor"]));
        Assert.Equal(
            [
                IdentityPermissions.ApiKeysManage, IdentityPermissions.MembersManage, IdentityPermissions.MembersRead, IdentityPermissions.RolesManage,
                IdentityPermissions.SsoManage, MeteringPermissions.BillingManage, MeteringPermissions.Read,
                TenantsPermissions.AuditRead, TenantsPermissions.SettingsManage, WebhooksPermissions.Manage, WebhooksPermissions.Read,
            ],
            settings.PermissionsOf([IdentityRoles.TenantAdmin]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Without_configuration_the_defaults_apply()
    {
        await using var host = ModularHost.OnSqlite();
        var settings = host.Services.GetRequiredService<IOptions<IdentitySettings>>().Value;

        Assert.Contains(TenantsPermissions.Manage, settings.PermissionsOf([IdentityRoles.PlatformAdmin]));
        Assert.Contains(PlatformPermissions.Admin, settings.PermissionsOf([IdentityRoles.PlatformAdmin]));
        Assert.DoesNotContain(PlatformPermissions.Admin, settings.PermissionsOf([IdentityRoles.Owner, IdentityRoles.TenantAdmin, IdentityRoles.Member]));
        // An owner is an admin who also makes owners; nobody else in a tenant holds that.
        Assert.Equal([.. settings.PermissionsOf([IdentityRoles.TenantAdmin]), IdentityPermissions.OwnersManage], settings.PermissionsOf([IdentityRoles.Owner]));
        Assert.DoesNotContain(IdentityPermissions.OwnersManage, settings.PermissionsOf([IdentityRoles.TenantAdmin, IdentityRoles.Member]));
    }

    [Fact]
    public async Task Each_module_grants_its_own_permissions_so_a_platform_admin_may_call_every_endpoint()
    {
        await using var host = ModularHost.OnSqlite();
        var settings = host.Services.GetRequiredService<IOptions<IdentitySettings>>().Value;

        var missing = host.ApiPermissions().Except(settings.PermissionsOf([IdentityRoles.PlatformAdmin])).ToList();
        Assert.True(missing.Count == 0, $"no module grants platform admins {string.Join(", ", missing)} by default");
    }
}
