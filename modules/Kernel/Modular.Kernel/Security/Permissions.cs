using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Modular.Kernel.Security;

/// <summary>
/// Authorization is by named permission ("tenants.manage"), carried as <see cref="ModularClaims.Permission"/>
/// claims. Modules declare their permission names in their contracts; every endpoint names the one it needs.
/// </summary>
public static class ModularClaims
{
    public const string Permission = "permission";
    public const string Tenant = "tenant";

    /// <summary>
    /// On an impersonation session: the operator acting as the signed-in user (support), so what is done is
    /// attributed to both. Only the console's impersonation sign-in sets it.
    /// </summary>
    public const string ImpersonatedBy = "impersonated_by";
}

public static class PlatformPermissions
{
    /// <summary>Operators of the whole platform: the admin console and cross-tenant APIs.</summary>
    public const string Admin = "platform.admin";

    /// <summary>Every platform permission starts so; only a platform admin may grant one.</summary>
    public const string Prefix = "platform.";
}

/// <summary>
/// What a module's permissions grant the platform's standard roles unless configuration says otherwise: the
/// platform's operators, a tenant's admins, a tenant's members. Each module contributes its own
/// (<see cref="PermissionExtensions.AddDefaultGrants"/>); the identity module gathers them into its roles.
/// </summary>
public sealed record DefaultGrants(IReadOnlyList<string> Operators, IReadOnlyList<string>? TenantAdmins = null, IReadOnlyList<string>? Members = null);

public static class PermissionExtensions
{
    /// <summary>Requires an authenticated caller holding <paramref name="permission"/>.</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission)
        where TBuilder : IEndpointConventionBuilder
        => builder.RequireAuthorization(policy => policy.RequireAuthenticatedUser().RequireClaim(ModularClaims.Permission, permission));

    public static bool HasPermission(this ClaimsPrincipal user, string permission)
        => user.HasClaim(ModularClaims.Permission, permission);

    /// <summary>Contributes what this module's permissions grant the standard roles by default.</summary>
    public static IServiceCollection AddDefaultGrants(this IServiceCollection services, DefaultGrants grants)
        => services.AddSingleton(grants);
}
