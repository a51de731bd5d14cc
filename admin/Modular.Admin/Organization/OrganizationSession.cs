using System.Security.Claims;
using Modular.Kernel.Tenancy;

namespace Modular.Admin.Organization;

/// <summary>
/// Who works in the organization area, for which tenant: established by its layout (the tenant open, the user still a
/// member) before any page renders, and cascaded to the console's own pages of the area.
/// </summary>
/// <param name="Tenant">The tenant the session is for; the circuit's tenant scope.</param>
/// <param name="User">The signed-in user, with the permissions the provider granted in that tenant.</param>
/// <param name="ImpersonatedBy">The operator acting as <paramref name="User"/>, on an impersonation session.</param>
public sealed record OrganizationSession(TenantInfo Tenant, ClaimsPrincipal User, string? ImpersonatedBy);
