using Microsoft.Extensions.Options;

namespace Modular.Identity.Configuration;

/// <summary>
/// What holding roles permits (<c>Identity:RolePermissions</c>), for the handlers the mediator needs public:
/// <see cref="IdentitySettings"/> itself stays internal, and its <c>PermissionsOf</c> remains the one rule.
/// </summary>
public sealed class RoleGrants
{
    private readonly IdentitySettings _settings;

    internal RoleGrants(IOptions<IdentitySettings> settings) => _settings = settings.Value;

    public IEnumerable<string> PermissionsOf(IEnumerable<string> roles) => _settings.PermissionsOf(roles);
}
