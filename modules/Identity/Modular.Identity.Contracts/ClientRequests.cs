using Mediator;

namespace Modular.Identity.Contracts;

/// <summary>
/// An OAuth/OIDC client as operators declare it: the same shape in configuration (<c>Identity:Clients</c>)
/// and in <c>/api/v1/identity/clients</c>. Secrets are never part of it: the platform generates them.
/// </summary>
public record ClientDefinition
{
    public string ClientId { get; init; } = "";

    public string? DisplayName { get; init; }

    /// <summary><c>confidential</c> (has a secret) or <c>public</c> (PKCE only).</summary>
    public string Type { get; init; } = ClientKinds.Confidential;

    public IReadOnlyList<string> RedirectUris { get; init; } = [];

    public IReadOnlyList<string> PostLogoutRedirectUris { get; init; } = [];

    /// <summary>authorization_code, refresh_token, client_credentials, device_code.</summary>
    public IReadOnlyList<string> GrantTypes { get; init; } = [];

    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>For client-credentials tokens: the tenant (slug or id) the client acts for.</summary>
    public string? Tenant { get; init; }

    /// <summary>For client-credentials tokens: the permissions the client holds.</summary>
    public IReadOnlyList<string> Permissions { get; init; } = [];

    /// <summary>First-party clients skip the consent screen.</summary>
    public bool FirstParty { get; init; }
}

public static class ClientKinds
{
    public const string Confidential = "confidential";
    public const string Public = "public";
}

public sealed record ListClients : IQuery<IReadOnlyList<ClientDto>>;

public sealed record GetClient(string ClientId) : IQuery<ClientDto>;

/// <summary>Registers a client; a confidential client gets a generated secret, returned once.</summary>
public sealed record CreateClient : ClientDefinition, ICommand<ClientWithSecret>;

/// <summary>Changes a client's registration (not its secret, not its type).</summary>
public sealed record UpdateClient : ClientDefinition, ICommand<ClientDto>;

/// <summary>Replaces a confidential client's secret with a new generated one, returned once. The old one stops working.</summary>
public sealed record RotateClientSecret(string ClientId) : ICommand<ClientWithSecret>;

/// <summary>A disabled client can obtain no token, and the tokens it holds are revoked.</summary>
public sealed record SetClientEnabled(string ClientId, bool Enabled) : ICommand<ClientDto>;

public sealed record DeleteClient(string ClientId) : ICommand;

public sealed record ClientDto(ClientDefinition Client, bool Enabled, bool HasSecret);

public sealed record ClientWithSecret(ClientDto Client, string? ClientSecret);

/// <summary>
/// Registers (or updates) a first-party client of the platform itself, such as the admin console, whose
/// redirect addresses are known only once the host listens.
/// </summary>
public sealed record RegisterFirstPartyClient(string ClientId, string DisplayName, IReadOnlyList<string> RedirectUris, IReadOnlyList<string> PostLogoutRedirectUris)
    : ICommand;
