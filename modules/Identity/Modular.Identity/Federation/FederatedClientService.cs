using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Kernel.Tenancy;
using OpenIddict.Abstractions;
using OpenIddict.Client;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Modular.Identity.Federation;

/// <summary>
/// OpenIddict's client service, which also knows the tenants' SSO connections: their registrations are built from the
/// database on demand (registration id <c>sso-{id}</c>), not configured at start-up. Every path OpenIddict resolves a
/// registration by (the challenge, the callback's state token, the HTTP client's set-up) comes through here. A built
/// registration is kept until its connection's <see cref="SsoConnection.Version"/> changes, and with it the provider's
/// discovery document and keys, which OpenIddict caches inside the registration.
/// </summary>
public sealed class FederatedClientService(IServiceProvider services) : OpenIddictClientService(services)
{
    private readonly IServiceProvider _services = services;

    private const string Prefix = "sso-";
    private const string ProbeId = Prefix + "probe";

    private readonly ConcurrentDictionary<Guid, OpenIddictClientRegistration> _built = new();

    public static bool IsTenantRegistration(OpenIddictClientRegistration registration) =>
        registration.RegistrationId?.StartsWith(Prefix, StringComparison.Ordinal) == true;

    public static Guid? ConnectionIdOf(string? registrationId) =>
        registrationId is { Length: > 4 } && registrationId.StartsWith(Prefix, StringComparison.Ordinal)
        && Guid.TryParseExact(registrationId[Prefix.Length..], "N", out var id) ? id : null;

    public override async ValueTask<OpenIddictClientRegistration> GetClientRegistrationByIdAsync(string identifier, CancellationToken cancellationToken = default)
    {
        if (ConnectionIdOf(identifier) is not { } connectionId)
        {
            return await base.GetClientRegistrationByIdAsync(identifier, cancellationToken);
        }

        await using var scope = _services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
        var connection = await scope.ServiceProvider.GetRequiredService<IdentityDbContext>().SsoConnections.AsNoTracking()
            .FirstOrDefaultAsync(c => c.Id == connectionId && c.Enabled, cancellationToken)
            ?? throw new InvalidOperationException($"The SSO connection {connectionId} does not exist or is disabled.");
        return _built.AddOrUpdate(
            connection.Id,
            _ => Build(connection),
            (_, built) => Equals(built.Properties[nameof(SsoConnection.Version)], connection.Version) ? built : Build(connection));
    }

    public override async ValueTask<OpenIddictClientRegistration> GetClientRegistrationByProviderNameAsync(string name, CancellationToken cancellationToken = default) =>
        ConnectionIdOf(name) is not null ? await GetClientRegistrationByIdAsync(name, cancellationToken) : await base.GetClientRegistrationByProviderNameAsync(name, cancellationToken);

    /// <summary>
    /// Fetches <paramref name="issuer"/>'s discovery document and keys as a sign-in would, through the same guarded client,
    /// and checks the document names that issuer. Returns why it failed, or null.
    /// </summary>
    public async Task<string?> ProbeAsync(Uri issuer, CancellationToken cancellationToken)
    {
        var registration = Registration(ProbeId, issuer, "probe", clientSecret: null, name: "probe", scopes: []);
        try
        {
            await registration.ConfigurationManager!.GetConfigurationAsync(cancellationToken);
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or OpenIddictExceptions.ProtocolException or TaskCanceledException)
        {
            return Describe(e);
        }
    }

    /// <summary>What went wrong talking to a provider, in a sentence a tenant's admin can act on (no stack, no internals).</summary>
    public static string Describe(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case Kernel.Outbound.RefusedAddressException:
                    return "The issuer's address is not one the platform may connect to (a private, loopback or link-local network).";
                case OpenIddictExceptions.ProtocolException protocol when protocol.ErrorDescription?.Contains("ID2165", StringComparison.Ordinal) == true:
                    return "The provider's discovery document names another issuer.";
                case OpenIddictExceptions.ProtocolException protocol:
                    return $"The provider's discovery failed: {protocol.ErrorDescription ?? protocol.Error}";
                case TaskCanceledException or TimeoutException:
                    return "The provider did not answer in time.";
                case HttpRequestException http when http.Message.Contains("buffer", StringComparison.OrdinalIgnoreCase):
                    return "The provider's response was too large.";
                case HttpRequestException http:
                    return $"The provider could not be reached: {http.Message}";
            }
        }

        return "The provider's discovery document could not be read.";
    }

    private OpenIddictClientRegistration Build(SsoConnection connection)
    {
        var secret = _services.GetRequiredService<SsoSecrets>().Unprotect(connection.ProtectedClientSecret);
        var registration = Registration(connection.RegistrationId, new Uri(connection.Issuer), connection.ClientId, secret, connection.Name, connection.Scopes);
        registration.Properties[nameof(SsoConnection.Version)] = connection.Version;
        return registration;
    }

    /// <summary>What OpenIddict's own configuration step does for a registration given at start-up, which never sees these.</summary>
    private OpenIddictClientRegistration Registration(string id, Uri issuer, string clientId, string? clientSecret, string name, IEnumerable<string> scopes)
    {
        var registration = new OpenIddictClientRegistration
        {
            RegistrationId = id,
            ProviderName = id,
            ProviderDisplayName = name,
            Issuer = issuer,
            ClientId = clientId,
            ClientSecret = clientSecret,
            ClientType = ClientTypes.Confidential,
            RedirectUri = new Uri(FederationClient.CallbackPath[1..], UriKind.Relative),
            ConfigurationEndpoint = new Uri(issuer.AbsoluteUri.TrimEnd('/') + "/.well-known/openid-configuration"),
        };
        registration.Scopes.UnionWith(scopes);
        registration.Properties[nameof(FederationSettings)] = _services.GetRequiredService<IOptions<FederationSettings>>().Value;
        registration.ConfigurationManager = new ConfigurationManager<OpenIddictConfiguration>(
            registration.ConfigurationEndpoint.AbsoluteUri, new OpenIddictClientRetriever(this, registration));
        return registration;
    }
}
