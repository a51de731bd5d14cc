using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Modular.Identity.Configuration;
using Modular.Identity.Domain;
using Modular.Kernel.Security;

namespace Modular.Identity.Account;

/// <summary>
/// The sign-in cookie carries the permissions of the user's platform roles, so pages on this host
/// (the admin console) authorise by permission exactly as the API does with tokens.
/// </summary>
internal sealed class PermissionClaimsFactory(
    UserManager<User> users, RoleManager<Role> roles, IOptions<IdentityOptions> options, IOptions<IdentitySettings> settings)
    : UserClaimsPrincipalFactory<User, Role>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(User user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        var granted = settings.Value.PermissionsOf(await UserManager.GetRolesAsync(user));
        identity.AddClaims(granted.Select(permission => new Claim(ModularClaims.Permission, permission)));
        return identity;
    }
}
