using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using Modular.Identity.Clients;
using Modular.Identity.Configuration;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Kernel.Security;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Modular.Identity.Connect;

/// <summary>
/// Builds the identity a token is issued for: a user (with the tenant chosen at sign-in, and the
/// permissions of the user's platform roles and of their roles in that tenant) or a client acting for
/// itself. Which claim goes into which token is decided here, in one place.
/// </summary>
internal sealed class TokenClaims(UserManager<User> users, IdentityDbContext db, RoleGrants grants, IOpenIddictScopeManager apiScopes)
{
    /// <summary>
    /// Marks a client-credentials token (<c>gty</c>, as several providers name it): its subject is a client id, not a
    /// user, so its tenant is checked against the client's binding rather than a membership.
    /// </summary>
    public const string GrantTypeClaim = "gty";

    public static bool IsClientToken(ClaimsPrincipal principal) => principal.HasClaim(GrantTypeClaim, GrantTypes.ClientCredentials);

    public async Task<ClaimsIdentity> ForUserAsync(User user, Guid? tenantId, IEnumerable<string> scopes, CancellationToken cancellationToken)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, user.Id.ToString())
            .SetClaim(Claims.Name, user.UserName)
            .SetClaim(Claims.Email, user.Email)
            .SetClaim("display_name", user.DisplayName);

        var roles = (await users.GetRolesAsync(user)).ToList();
        var permissions = grants.PermissionsOf(roles).ToList();
        if (tenantId is { } tenant)
        {
            identity.SetClaim(ModularClaims.Tenant, tenant.ToString());
            var membership = await db.Memberships.AsNoTracking()
                .FirstOrDefaultAsync(m => m.UserId == user.Id && m.TenantId == tenant, cancellationToken);
            roles.AddRange(membership?.Roles ?? []);
            // The tenant's own roles count in that tenant only: the token is for it alone.
            permissions.AddRange(await grants.PermissionsInTenantAsync(tenant, membership?.Roles ?? [], cancellationToken));
        }

        identity.SetClaims(Claims.Role, [.. roles.Distinct()]);
        identity.SetClaims(ModularClaims.Permission, [.. permissions.Distinct()]);
        identity.SetScopes(scopes);
        identity.SetResources(await apiScopes.AudiencesOfAsync(scopes, cancellationToken));
        identity.SetDestinations(DestinationsOf);
        return identity;
    }

    /// <summary>
    /// A client acting for itself: its permissions, and for a tenant's API key with roles, what those roles grant in its
    /// tenant now (a changed custom role changes the key's next token), never <c>platform.*</c> through a role.
    /// </summary>
    public async Task<ClaimsIdentity> ForClientAsync(
        string clientId, string? displayName, string? tenantId, IEnumerable<string> permissions, IReadOnlyList<string> roles, IEnumerable<string> scopes,
        CancellationToken cancellationToken)
    {
        var held = permissions.ToList();
        if (roles.Count > 0 && Guid.TryParse(tenantId, out var tenant))
        {
            held.AddRange((await grants.PermissionsInTenantAsync(tenant, roles, cancellationToken))
                .Where(p => !p.StartsWith(PlatformPermissions.Prefix, StringComparison.Ordinal)));
        }

        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, clientId).SetClaim(Claims.Name, displayName ?? clientId).SetClaim(GrantTypeClaim, GrantTypes.ClientCredentials);
        if (tenantId is not null)
        {
            identity.SetClaim(ModularClaims.Tenant, tenantId);
        }

        identity.SetClaims(ModularClaims.Permission, [.. held.Distinct()]);
        identity.SetScopes(scopes);
        identity.SetResources(await apiScopes.AudiencesOfAsync(scopes, cancellationToken));
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        return identity;
    }

    /// <summary>Access tokens carry what APIs authorise on; identity tokens only what the scopes asked for.</summary>
    private static IEnumerable<string> DestinationsOf(Claim claim)
    {
        yield return Destinations.AccessToken;
        var scopes = claim.Subject?.GetScopes() ?? [];
        var toIdentityToken = claim.Type switch
        {
            Claims.Subject or ModularClaims.Tenant or Claims.AuthenticationTime => true,
            Claims.Name or "display_name" => scopes.Contains(Scopes.Profile),
            Claims.Email => scopes.Contains(Scopes.Email),
            Claims.Role or ModularClaims.Permission => scopes.Contains(Scopes.Roles),
            _ => false,
        };
        if (toIdentityToken)
        {
            yield return Destinations.IdentityToken;
        }
    }
}
