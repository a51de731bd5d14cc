using Mediator;

namespace Modular.Identity.Contracts;

/// <summary>
/// A platform admin acts as one of a tenant's members, for support: with the member's roles in that tenant only (never
/// a platform permission), for a limited time, the reason recorded in the tenant's audit trail and the platform's.
/// </summary>
public sealed record StartImpersonation(Guid UserId, Guid TenantId, string Reason) : ICommand<ImpersonationDto>;

/// <summary>The impersonation session the caller is on ends (audited in the tenant's trail and the platform's).</summary>
public sealed record EndImpersonation : ICommand;

/// <summary>Whom the operator acts as, with what, until when: what the console's impersonation session is made of.</summary>
public sealed record ImpersonationDto(
    Guid UserId, string UserName, string? Email, Guid TenantId, IReadOnlyList<string> Roles, IReadOnlyList<string> Permissions, DateTimeOffset ExpiresAt);
