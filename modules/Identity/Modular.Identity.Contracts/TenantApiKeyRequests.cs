using Mediator;

namespace Modular.Identity.Contracts;

// A tenant's API keys: client-credentials clients bound to the caller's tenant (from its token, never from the request),
// holding permissions and tenant roles the caller holds there. Another tenant's key, an operator's client or a
// user-facing app is not found through these.

/// <summary>
/// Makes an API key holding <paramref name="Permissions"/> and what <paramref name="Roles"/> (built-in or the tenant's
/// own) grant in the tenant when a token is issued; its secret is in the answer only.
/// </summary>
public sealed record CreateTenantApiKey(string Name, IReadOnlyList<string>? Permissions = null, IReadOnlyList<string>? Roles = null)
    : ICommand<TenantApiKeyWithSecret>;

/// <summary>The tenant's API keys, oldest first; never their secrets.</summary>
public sealed record ListTenantApiKeys(int Page = 1, int PageSize = 20) : IQuery<TenantApiKeyPage>;

/// <summary>Renames a key or changes what it holds; the caller must hold what it holds now and what it will.</summary>
public sealed record UpdateTenantApiKey(string ClientId, string Name, IReadOnlyList<string>? Permissions = null, IReadOnlyList<string>? Roles = null)
    : ICommand<TenantApiKeyDto>;

/// <summary>A new secret, in the answer only; the old one and the key's tokens stop working at once.</summary>
public sealed record RotateTenantApiKey(string ClientId) : ICommand<TenantApiKeyWithSecret>;

/// <summary>Deletes the key's client with its tokens: the secret and every token issued with it stop working.</summary>
public sealed record RevokeTenantApiKey(string ClientId) : ICommand;

/// <param name="CreatedBy">Who made the key (the audit trail's actor).</param>
/// <param name="LastUsedAt">When a token was last issued for it, to the minute.</param>
public sealed record TenantApiKeyDto(
    string ClientId, string Name, IReadOnlyList<string> Permissions, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt, string CreatedBy,
    DateTimeOffset? LastUsedAt, bool Enabled);

public sealed record TenantApiKeyWithSecret(TenantApiKeyDto Key, string ClientSecret);

public sealed record TenantApiKeyPage(IReadOnlyList<TenantApiKeyDto> Items, int Page, int PageSize, int Total);
