using System.Security.Claims;
using System.Text.Json;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Modular.Identity.Connect;

/// <summary>
/// A user's session at a client is an OpenIddict authorization that every token of the sign-in chains to. Each one
/// records the tenant its tokens are for, so leaving a tenant (or losing a role there) ends exactly the sessions in
/// that tenant, and a third party's consent holds for the tenant it was given in.
/// </summary>
internal static class TenantSessions
{
    public const string TenantProperty = "modular_tenant";

    /// <summary>A new session for <paramref name="identity"/> (its subject and scopes) in <paramref name="tenant"/>.</summary>
    public static async Task<object> CreateAsync(
        this IOpenIddictAuthorizationManager authorizations, ClaimsIdentity identity, string applicationId, string type, Guid? tenant,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var descriptor = new OpenIddictAuthorizationDescriptor
        {
            ApplicationId = applicationId,
            CreationDate = now,
            Principal = new ClaimsPrincipal(identity),
            Status = Statuses.Valid,
            Subject = identity.GetClaim(Claims.Subject),
            Type = type,
        };
        descriptor.Scopes.UnionWith(identity.GetScopes());
        if (tenant is { } id)
        {
            descriptor.Properties[TenantProperty] = JsonSerializer.SerializeToElement(id);
        }

        return await authorizations.CreateAsync(descriptor, cancellationToken);
    }

    public static async Task<bool> IsInTenantAsync(this IOpenIddictAuthorizationManager authorizations, object authorization, Guid? tenant, CancellationToken cancellationToken)
    {
        var properties = await authorizations.GetPropertiesAsync(authorization, cancellationToken);
        Guid? recorded = properties.TryGetValue(TenantProperty, out var value) && value.ValueKind == JsonValueKind.String && value.TryGetGuid(out var id) ? id : null;
        return recorded == tenant;
    }

    /// <summary>Revokes the user's sessions in <paramref name="tenant"/> with their tokens (refresh tokens included).</summary>
    public static async Task RevokeInTenantAsync(
        this IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, Guid userId, Guid tenant, CancellationToken cancellationToken)
    {
        // Read them all first: revoking writes through the same context, which PostgreSQL refuses while a query streams.
        var sessions = await authorizations.FindBySubjectAsync(userId.ToString(), cancellationToken).ToListAsync(cancellationToken);
        foreach (var session in sessions)
        {
            if (await authorizations.IsInTenantAsync(session, tenant, cancellationToken))
            {
                await authorizations.TryRevokeAsync(session, cancellationToken);
                await tokens.RevokeByAuthorizationIdAsync((await authorizations.GetIdAsync(session, cancellationToken))!, cancellationToken);
            }
        }
    }
}
