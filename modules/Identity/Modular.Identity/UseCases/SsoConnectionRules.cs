using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Modular.Identity.Configuration;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Federation;
using Modular.Identity.Persistence;
using Modular.Kernel.Errors;
using Modular.Kernel.Outbound;
using Modular.Kernel.Security;

namespace Modular.Identity.UseCases;

/// <summary>What an SSO connection may be, for creating and changing one (the shape; <see cref="SsoConnections"/> checks the rest).</summary>
internal abstract class SsoConnectionRules<T> : AbstractValidator<T>
    where T : SsoConnectionDefinition
{
    private const string ScopePattern = "^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$"; // RFC 6749's scope-token

    protected SsoConnectionRules(IOptions<FederationSettings> settings, OutboundAddressPolicy policy)
    {
        RuleFor(c => c.Name).NotEmpty().MaximumLength(SsoConnection.NameMaxLength);
        RuleFor(c => c.Issuer).Cascade(CascadeMode.Stop).NotEmpty().MaximumLength(SsoConnection.IssuerMaxLength)
            .Must((_, issuer, context) =>
            {
                var problem = IssuerProblem(issuer, settings.Value, policy);
                context.MessageFormatter.AppendArgument("Problem", problem);
                return problem is null;
            }).WithMessage("{Problem}");
        RuleFor(c => c.ClientId).NotEmpty().MaximumLength(SsoConnection.ClientIdMaxLength);
        RuleFor(c => c.ClientSecret).MaximumLength(SsoConnection.ClientSecretMaxLength);
        RuleFor(c => c.Scopes).Must(s => s is null || s.Count <= SsoConnection.MaxScopes).WithMessage($"At most {SsoConnection.MaxScopes} scopes.");
        RuleForEach(c => c.Scopes).NotEmpty().MaximumLength(100).Matches(ScopePattern).WithMessage("A scope is printable ASCII without spaces or quotes.");
        When(c => c.ClaimMapping is not null, () =>
        {
            RuleFor(c => c.ClaimMapping!.Email).NotEmpty().MaximumLength(SsoConnection.ClaimNameMaxLength).OverridePropertyName("claimMapping.email");
            RuleFor(c => c.ClaimMapping!.Name).NotEmpty().MaximumLength(SsoConnection.ClaimNameMaxLength).OverridePropertyName("claimMapping.name");
            RuleFor(c => c.ClaimMapping!.Groups).NotEmpty().MaximumLength(SsoConnection.ClaimNameMaxLength).OverridePropertyName("claimMapping.groups");
            RuleFor(c => c.ClaimMapping!.GroupRoles).NotNull()
                .Must(m => m is null || m.Count <= SsoConnection.MaxGroupRoles).WithMessage($"At most {SsoConnection.MaxGroupRoles} group mappings.")
                .Must(m => m is null || m.Keys.All(g => g.Length is > 0 and <= 200)).WithMessage("A group is 1 to 200 characters.")
                .OverridePropertyName("claimMapping.groupRoles");
        });
    }

    /// <summary>An absolute URL without query, fragment or credentials, on an address the platform may reach.</summary>
    private static string? IssuerProblem(string issuer, FederationSettings settings, OutboundAddressPolicy policy) =>
        !Uri.TryCreate(issuer, UriKind.Absolute, out var uri) ? "Give the provider's issuer as an absolute https:// URL."
        : uri.Query.Length > 0 ? "An issuer has no query string."
        : policy.ProblemWith(uri, settings.AllowHttpIssuers);
}

/// <summary>The checks that need the database, the caller and the provider, shared by create and update.</summary>
public sealed class SsoConnections(IdentityDbContext db, RoleGrants roles, GrantCheck grants, FederatedClientService client)
{
    /// <summary>The group mappings as stored, after checking each names a role of the tenant that the caller could grant by hand.</summary>
    public async Task<List<SsoGroupRole>> GroupRolesAsync(Guid tenantId, SsoClaimMapping? mapping, CancellationToken cancellationToken)
    {
        var pairs = (mapping?.GroupRoles ?? new Dictionary<string, string>()).Select(p => new SsoGroupRole { Group = p.Key, Role = p.Value }).ToList();
        var custom = pairs.Select(p => p.Role).Where(r => !roles.IsBuiltIn(r)).Distinct().ToList();
        var known = await db.TenantRoles.AsNoTracking().Where(r => r.TenantId == tenantId && custom.Contains(r.Name)).Select(r => r.Name).ToListAsync(cancellationToken);
        var unknown = pairs.Where(p => p.Role == IdentityRoles.PlatformAdmin || (!roles.IsBuiltIn(p.Role) && !known.Contains(p.Role)))
            .ToDictionary(p => $"claimMapping.groupRoles.{p.Group}", p => new[] { $"'{p.Role}' is not a role of this tenant." });
        if (unknown.Count > 0)
        {
            throw new RequestValidationException(unknown);
        }

        // Mapping a group to a role grants that role's permissions to whoever the provider puts in the group.
        var permissions = await roles.PermissionsInTenantAsync(tenantId, [.. pairs.Select(p => p.Role).Distinct()], cancellationToken);
        await grants.EnsureMayGrantAsync(permissions, tenantId.ToString(), cancellationToken);
        return pairs;
    }

    /// <summary>Fetches the issuer's discovery document and keys, and refuses the issuer when that fails.</summary>
    public async Task EnsureReachableAsync(string issuer, CancellationToken cancellationToken)
    {
        if (await client.ProbeAsync(new Uri(issuer), cancellationToken) is { } problem)
        {
            throw new RequestValidationException(new Dictionary<string, string[]> { ["issuer"] = [problem] });
        }
    }

    public static IEnumerable<string> ScopesOf(SsoConnectionDefinition definition) =>
        definition.Scopes is { Count: > 0 } scopes ? scopes.Distinct(StringComparer.Ordinal) : ["email", "profile"];

    public static (string Email, string Name, string Groups) ClaimsOf(SsoClaimMapping? mapping) =>
        mapping is null ? ("email", "name", "groups") : (mapping.Email, mapping.Name, mapping.Groups);

    public async Task<SsoConnectionDto> DtoAsync(SsoConnection connection, CancellationToken cancellationToken) =>
        ToDto(connection, await db.SsoDomains.AsNoTracking().Where(d => d.ConnectionId == connection.Id).OrderBy(d => d.Domain).ToListAsync(cancellationToken));

    public static SsoConnectionDto ToDto(SsoConnection c, IEnumerable<SsoDomain> domains) => new(
        c.Id, c.Name, c.Issuer, c.ClientId, c.ProtectedClientSecret.Length > 0, c.Scopes,
        new SsoClaimMapping { Email = c.EmailClaim, Name = c.NameClaim, Groups = c.GroupsClaim, GroupRoles = c.GroupRoles.ToDictionary(g => g.Group, g => g.Role) },
        c.EnforceSso, c.Enabled, [.. domains.Select(ToDto)], c.LastSignInAt, c.LastTestedAt, c.LastError, c.LastErrorAt, c.CreatedAt, c.UpdatedAt);

    public static SsoDomainDto ToDto(SsoDomain d) => new(d.Id, d.Domain, d.RecordName, d.RecordValue, d.IsVerified, d.VerifiedAt, d.VerifiedBy);

    public async Task<SsoConnection> FindAsync(Guid id, CancellationToken cancellationToken) =>
        await db.SsoConnections.FirstOrDefaultAsync(c => c.Id == id, cancellationToken) ?? throw new NotFoundException("SSO connection", id);

    public async Task<SsoDomain> FindDomainAsync(Guid connectionId, Guid domainId, CancellationToken cancellationToken) =>
        await db.SsoDomains.FirstOrDefaultAsync(d => d.Id == domainId && d.ConnectionId == connectionId, cancellationToken)
        ?? throw new NotFoundException("SSO domain", domainId);
}
