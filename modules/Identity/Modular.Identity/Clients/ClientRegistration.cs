using System.Security.Cryptography;
using System.Text.Json;
using Modular.Identity.Connect;
using Modular.Identity.Contracts;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Modular.Identity.Clients;

/// <summary>
/// Translates between a <see cref="ClientDefinition"/> (what operators declare) and OpenIddict's
/// application descriptor (grant, endpoint and scope permissions, PKCE requirement, platform properties).
/// One translation for the configuration seeder and the clients API.
/// </summary>
internal static class ClientRegistration
{
    /// <summary>Application properties (OpenIddict's JSON bag) the platform stores on a client.</summary>
    public const string TenantProperty = "modular_tenant";
    public const string PermissionsProperty = "modular_permissions";

    /// <summary>A tenant's API key's tenant roles: their permissions in its tenant are added to its tokens at issuance.</summary>
    public const string RolesProperty = "modular_roles";

    /// <summary>A disabled client's OpenIddict permissions, parked here so that OpenIddict itself refuses it.</summary>
    public const string DisabledPermissionsProperty = "modular_disabled_permissions";

    public static readonly string[] KnownGrantTypes =
        [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken, GrantTypes.ClientCredentials, "device_code"];

    /// <summary>Describes <paramref name="client"/>; keeps it disabled if <paramref name="disabled"/>.</summary>
    public static OpenIddictApplicationDescriptor Describe(ClientDefinition client, string? secret, bool disabled)
    {
        var isPublic = client.Type == ClientKinds.Public;
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = client.ClientId,
            ClientSecret = isPublic ? null : secret,
            ClientType = isPublic ? ClientTypes.Public : ClientTypes.Confidential,
            DisplayName = client.DisplayName ?? client.ClientId,
            ConsentType = client.FirstParty ? ConsentTypes.Implicit : ConsentTypes.Explicit,
        };
        descriptor.RedirectUris.UnionWith(client.RedirectUris.Select(u => new Uri(u, UriKind.Absolute)));
        descriptor.PostLogoutRedirectUris.UnionWith(client.PostLogoutRedirectUris.Select(u => new Uri(u, UriKind.Absolute)));
        descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);

        foreach (var grant in client.GrantTypes.Select(ToOpenIddictGrant))
        {
            descriptor.Permissions.Add(Permissions.Prefixes.GrantType + grant);
            switch (grant)
            {
                case GrantTypes.AuthorizationCode:
                    descriptor.Permissions.UnionWith([Permissions.Endpoints.Authorization, Permissions.Endpoints.EndSession, Permissions.ResponseTypes.Code]);
                    break;
                case GrantTypes.DeviceCode:
                    descriptor.Permissions.Add(Permissions.Endpoints.DeviceAuthorization);
                    break;
            }
        }

        descriptor.Permissions.UnionWith([Permissions.Endpoints.Token, Permissions.Endpoints.Revocation]);
        if (!isPublic)
        {
            descriptor.Permissions.Add(Permissions.Endpoints.Introspection);
        }

        descriptor.Permissions.UnionWith(client.Scopes.Where(s => s != Scopes.OpenId).Select(s => Permissions.Prefixes.Scope + s));
        if (client.Tenant is not null)
        {
            descriptor.Properties[TenantProperty] = JsonSerializer.SerializeToElement(client.Tenant);
        }

        descriptor.Properties[PermissionsProperty] = JsonSerializer.SerializeToElement(client.Permissions);
        if (disabled)
        {
            Disable(descriptor);
        }

        return descriptor;
    }

    public static void Disable(OpenIddictApplicationDescriptor descriptor)
    {
        if (descriptor.Permissions.Count == 0)
        {
            return;
        }

        descriptor.Properties[DisabledPermissionsProperty] = JsonSerializer.SerializeToElement(descriptor.Permissions);
        descriptor.Permissions.Clear();
    }

    public static void Enable(OpenIddictApplicationDescriptor descriptor)
    {
        if (descriptor.Properties.Remove(DisabledPermissionsProperty, out var parked))
        {
            descriptor.Permissions.UnionWith(parked.EnumerateArray().Select(p => p.GetString()!));
        }
    }

    public static bool IsDisabled(OpenIddictApplicationDescriptor descriptor) => descriptor.Properties.ContainsKey(DisabledPermissionsProperty);

    /// <summary>Reads a client back as its definition (a disabled client's parked permissions included).</summary>
    public static ClientDto ToDto(OpenIddictApplicationDescriptor descriptor)
    {
        var permissions = IsDisabled(descriptor)
            ? descriptor.Properties[DisabledPermissionsProperty].EnumerateArray().Select(p => p.GetString()!).ToHashSet()
            : descriptor.Permissions;
        string[] grants = [.. Strip(permissions, Permissions.Prefixes.GrantType).Select(g => g == GrantTypes.DeviceCode ? "device_code" : g)];
        var definition = new ClientDefinition
        {
            ClientId = descriptor.ClientId ?? "",
            DisplayName = descriptor.DisplayName,
            Type = descriptor.ClientType == ClientTypes.Public ? ClientKinds.Public : ClientKinds.Confidential,
            RedirectUris = [.. descriptor.RedirectUris.Select(u => u.AbsoluteUri).Order(StringComparer.Ordinal)],
            PostLogoutRedirectUris = [.. descriptor.PostLogoutRedirectUris.Select(u => u.AbsoluteUri).Order(StringComparer.Ordinal)],
            GrantTypes = grants,
            // OpenIddict lets every client ask for openid (it has no permission of its own): it reads back wherever a user signs in.
            Scopes = [.. grants.Any(ConnectEndpoints.SignInGrantTypes.Contains) ? [Scopes.OpenId] : Array.Empty<string>(), .. Strip(permissions, Permissions.Prefixes.Scope)],
            Tenant = descriptor.Properties.TryGetValue(TenantProperty, out var tenant) ? tenant.GetString() : null,
            Permissions = PermissionsOf(descriptor.Properties),
            FirstParty = descriptor.ConsentType == ConsentTypes.Implicit,
        };
        return new ClientDto(definition, !IsDisabled(descriptor), descriptor.ClientType != ClientTypes.Public);
    }

    /// <summary>The platform permissions a client holds for client-credentials tokens.</summary>
    public static string[] PermissionsOf(IReadOnlyDictionary<string, JsonElement> properties) => StringsOf(properties, PermissionsProperty);

    /// <summary>The tenant roles a client (a tenant's API key) holds for client-credentials tokens.</summary>
    public static string[] RolesOf(IReadOnlyDictionary<string, JsonElement> properties) => StringsOf(properties, RolesProperty);

    /// <summary>A secret with 256 bits of entropy, URL-safe.</summary>
    public static string NewSecret() => Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    private static string[] StringsOf(IReadOnlyDictionary<string, JsonElement> properties, string name) =>
        properties.TryGetValue(name, out var values) && values.ValueKind == JsonValueKind.Array
            ? [.. values.EnumerateArray().Select(p => p.GetString()!)]
            : [];

    private static string ToOpenIddictGrant(string grant) => grant == "device_code" ? GrantTypes.DeviceCode : grant;

    private static IEnumerable<string> Strip(IEnumerable<string> permissions, string prefix) =>
        permissions.Where(p => p.StartsWith(prefix, StringComparison.Ordinal)).Select(p => p[prefix.Length..]).Order(StringComparer.Ordinal);

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
