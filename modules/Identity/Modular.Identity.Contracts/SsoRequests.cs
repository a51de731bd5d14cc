using Mediator;

namespace Modular.Identity.Contracts;

/// <summary>
/// A tenant's own identity provider (OpenID Connect), which its people sign in with: their email's domain, once the tenant
/// has proved it owns it, sends them there from the sign-in page.
/// </summary>
public record SsoConnectionDefinition
{
    public string Name { get; init; } = "";

    /// <summary>The provider's issuer, e.g. <c>https://login.acme.example</c>; its discovery document must name the same issuer.</summary>
    public string Issuer { get; init; } = "";

    public string ClientId { get; init; } = "";

    /// <summary>Required on create; on update, null keeps the stored one. Never returned.</summary>
    public string? ClientSecret { get; init; }

    /// <summary>Scopes asked for besides <c>openid</c>; default <c>email profile</c>.</summary>
    public IReadOnlyList<string>? Scopes { get; init; }

    public SsoClaimMapping? ClaimMapping { get; init; }

    /// <summary>The connection's domains may sign in only through it: no password, no reset, no registration.</summary>
    public bool EnforceSso { get; init; }

    public bool Enabled { get; init; } = true;
}

/// <summary>Which of the provider's claims carry the email, the name and the groups, and which tenant role each group gives.</summary>
public sealed record SsoClaimMapping
{
    public string Email { get; init; } = "email";

    public string Name { get; init; } = "name";

    public string Groups { get; init; } = "groups";

    /// <summary>Group → tenant role (a built-in or the tenant's own). Members get <c>member</c> when no group maps.</summary>
    public IReadOnlyDictionary<string, string> GroupRoles { get; init; } = new Dictionary<string, string>();
}

public sealed record SsoConnectionDto(
    Guid Id,
    string Name,
    string Issuer,
    string ClientId,
    bool HasSecret,
    IReadOnlyList<string> Scopes,
    SsoClaimMapping ClaimMapping,
    bool EnforceSso,
    bool Enabled,
    IReadOnlyList<SsoDomainDto> Domains,
    DateTimeOffset? LastSignInAt,
    DateTimeOffset? LastTestedAt,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A domain claimed for a connection: verified by a DNS TXT record (<see cref="RecordName"/> = <see cref="RecordValue"/>) or by an operator.</summary>
public sealed record SsoDomainDto(Guid Id, string Domain, string RecordName, string RecordValue, bool Verified, DateTimeOffset? VerifiedAt, string? VerifiedBy);

/// <summary>What fetching the provider's discovery document and keys found.</summary>
public sealed record SsoConnectionTestResult(bool Succeeded, string? Error, DateTimeOffset TestedAt);

public sealed record ListSsoConnections : IQuery<IReadOnlyList<SsoConnectionDto>>;

public sealed record GetSsoConnection(Guid Id) : IQuery<SsoConnectionDto>;

public sealed record CreateSsoConnection : SsoConnectionDefinition, ICommand<SsoConnectionDto>;

public sealed record UpdateSsoConnection : SsoConnectionDefinition, ICommand<SsoConnectionDto>
{
    public Guid Id { get; init; }
}

/// <summary>Removes the connection, its domains and its users' links to it; their sessions through it end.</summary>
public sealed record DeleteSsoConnection(Guid Id) : ICommand;

public sealed record TestSsoConnection(Guid Id) : ICommand<SsoConnectionTestResult>;

public sealed record AddSsoDomain(Guid ConnectionId, string Domain) : ICommand<SsoDomainDto>;

/// <summary>Checks the domain's DNS TXT record.</summary>
public sealed record VerifySsoDomain(Guid ConnectionId, Guid DomainId) : ICommand<SsoDomainDto>;

/// <summary>An operator vouches for the tenant's ownership of the domain (checked some other way).</summary>
public sealed record ConfirmSsoDomain(Guid ConnectionId, Guid DomainId) : ICommand<SsoDomainDto>;

public sealed record RemoveSsoDomain(Guid ConnectionId, Guid DomainId) : ICommand;
