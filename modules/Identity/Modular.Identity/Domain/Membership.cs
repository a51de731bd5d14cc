using Modular.Identity.Contracts;
using Modular.Kernel.Tenancy;

namespace Modular.Identity.Domain;

/// <summary>A user's place in one tenant, with the roles the user holds there.</summary>
public sealed class Membership : ITenantOwned
{
    private Membership()
    {
    }

    public Guid Id { get; private set; }

    public Guid TenantId { get; private set; }

    public Guid UserId { get; private set; }

    public List<string> Roles { get; private set; } = [];

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>The roles the tenant's SSO connection gave at the last sign-in through it: the next one replaces them, and only them.</summary>
    public List<string> SsoRoles { get; private set; } = [];

    public static Membership Create(Guid tenantId, Guid userId, IEnumerable<string> roles, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        TenantId = tenantId,
        UserId = userId,
        Roles = [.. roles.Distinct()],
        CreatedAt = now,
    };

    public void ReplaceRoles(IEnumerable<string> roles) => Roles = [.. roles.Distinct()];

    /// <summary>Replaces the roles SSO gave last time with <paramref name="mapped"/>, keeping the roles given by people.</summary>
    public void ApplySsoRoles(IReadOnlyCollection<string> mapped)
    {
        Roles = [.. Roles.Except(SsoRoles).Union(mapped)];
        SsoRoles = [.. mapped];
    }

    public bool IsOwner => Roles.Contains(IdentityRoles.Owner);
}
