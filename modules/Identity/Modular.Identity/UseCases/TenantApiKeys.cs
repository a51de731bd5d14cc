using System.Security.Cryptography;
using System.Text.Json;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Modular.Identity.Clients;
using Modular.Identity.Configuration;
using Modular.Identity.Connect;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Modular.Identity.UseCases;

/// <summary>
/// How a tenant's API keys are found, checked and stored: an OpenIddict client-credentials client bound to the tenant
/// (one translation, <see cref="ClientRegistration"/>, as for operators' clients) beside a tenant-owned row that
/// names it. The row is what makes a client a key of this tenant: without one in the caller's tenant, it is 404.
/// </summary>
internal static class TenantApiKeys
{
    /// <summary>The tenant's key <paramref name="clientId"/> with its client; 404 for any other client, wherever it is.</summary>
    public static async Task<(TenantApiKey Key, object Application, OpenIddictApplicationDescriptor Descriptor)> GetApiKeyAsync(
        this IdentityDbContext db, IOpenIddictApplicationManager applications, Guid tenantId, string clientId, CancellationToken cancellationToken)
    {
        var key = await db.TenantApiKeys.FirstOrDefaultAsync(k => k.TenantId == tenantId && k.ClientId == clientId, cancellationToken);
        var application = key is null ? null : await applications.FindByClientIdAsync(clientId, cancellationToken);
        if (key is null || application is null)
        {
            throw new NotFoundException("API key", clientId);
        }

        var descriptor = await applications.DescribeAsync(application, cancellationToken);
        if (ClientRegistration.ToDto(descriptor).Client.Tenant != tenantId.ToString())
        {
            throw new NotFoundException("API key", clientId); // an operator re-bound it elsewhere: no longer this tenant's
        }

        return (key, application, descriptor);
    }

    /// <summary>
    /// Nobody grants what they do not hold: the caller must hold <paramref name="permissions"/> and what
    /// <paramref name="roles"/> grant in the tenant (GrantCheck, 403 grant-not-held); a key never holds <c>platform.*</c>.
    /// </summary>
    public static async Task EnsureMayHandOutAsync(
        this GrantCheck check, RoleGrants grants, Guid tenantId, IReadOnlyList<string> permissions, IReadOnlyList<string> roles, CancellationToken cancellationToken)
    {
        var platform = permissions.Where(IsPlatform).Distinct().Order(StringComparer.Ordinal).ToList();
        if (platform.Count > 0)
        {
            throw new GrantNotHeldException($"An API key acts in its tenant only and never holds platform permissions ({string.Join(", ", platform)}).");
        }

        await grants.EnsureTenantRolesAsync(tenantId, roles, cancellationToken);
        var granted = await grants.PermissionsInTenantAsync(tenantId, roles, cancellationToken);
        await check.EnsureMayGrantAsync(permissions.Concat(granted), tenantId.ToString(), cancellationToken);
    }

    /// <summary>What the stored key holds: handing its power over (a new secret) or rewriting it needs all of it.</summary>
    public static Task EnsureMayHandOutAsync(
        this GrantCheck check, RoleGrants grants, Guid tenantId, OpenIddictApplicationDescriptor key, CancellationToken cancellationToken) =>
        check.EnsureMayHandOutAsync(grants, tenantId, ClientRegistration.PermissionsOf(key.Properties), ClientRegistration.RolesOf(key.Properties), cancellationToken);

    /// <summary>A key's client: confidential, client credentials only, the API scope, bound to the tenant.</summary>
    public static OpenIddictApplicationDescriptor Describe(
        string clientId, string name, Guid tenantId, IReadOnlyList<string> permissions, IReadOnlyList<string> roles, string secret)
    {
        var descriptor = ClientRegistration.Describe(new ClientDefinition
        {
            ClientId = clientId,
            DisplayName = name,
            Type = ClientKinds.Confidential,
            GrantTypes = [GrantTypes.ClientCredentials],
            Scopes = [ConnectEndpoints.ApiScope],
            Tenant = tenantId.ToString(),
            Permissions = Ordered(permissions),
        }, secret, disabled: false);
        SetHoldings(descriptor, name, permissions, roles);
        return descriptor;
    }

    /// <summary>Renames the key's client and replaces what it holds, keeping its secret, binding and state.</summary>
    public static void SetHoldings(OpenIddictApplicationDescriptor descriptor, string name, IReadOnlyList<string> permissions, IReadOnlyList<string> roles)
    {
        descriptor.DisplayName = name;
        descriptor.Properties[ClientRegistration.PermissionsProperty] = JsonSerializer.SerializeToElement(Ordered(permissions));
        descriptor.Properties[ClientRegistration.RolesProperty] = JsonSerializer.SerializeToElement(Ordered(roles));
    }

    /// <summary>A new key's client id: unguessable, so ids do not reveal how many keys tenants have.</summary>
    public static string NewClientId() => TenantApiKey.ClientIdPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static TenantApiKeyDto ToDto(this TenantApiKey key, OpenIddictApplicationDescriptor client) => new(
        key.ClientId, key.Name, ClientRegistration.PermissionsOf(client.Properties), ClientRegistration.RolesOf(client.Properties), key.CreatedAt, key.CreatedBy,
        key.LastUsedAt, !ClientRegistration.IsDisabled(client));

    public static IRuleBuilderOptions<T, string> KeyName<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().MaximumLength(TenantApiKey.NameMaxLength).Must(n => n is null || !n.Any(char.IsControl)).WithMessage("A key's name has no control characters.");

    /// <summary>A key's permissions or roles: optional, bounded, each a short non-empty name.</summary>
    public static void Holdings<T>(this AbstractValidator<T> validator, System.Linq.Expressions.Expression<Func<T, IReadOnlyList<string>?>> list, int max, int entryMaxLength)
    {
        validator.RuleFor(list).Must(l => l is null || l.Count <= max).WithMessage($"At most {max} entries.")
            .ForEach(entry => entry.NotEmpty().MaximumLength(entryMaxLength));
    }

    private static bool IsPlatform(string permission) => permission.StartsWith(PlatformPermissions.Prefix, StringComparison.Ordinal);

    private static string[] Ordered(IEnumerable<string> values) => [.. values.Distinct().Order(StringComparer.Ordinal)];
}
