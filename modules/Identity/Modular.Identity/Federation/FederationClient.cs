using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Modular.Kernel.Outbound;
using OpenIddict.Client;
using OpenIddict.Client.SystemNetHttp;
using Polly;

namespace Modular.Identity.Federation;

/// <summary>
/// The host's one OpenID Connect client (OpenIddict's): the admin console signs in through it at this host's own provider,
/// and people sign in through it at their organisation's provider (<see cref="FederatedClientService"/>). Its state
/// tokens are protected by the shared Data Protection key ring, so any instance may finish a sign-in another started.
/// </summary>
internal static class FederationClient
{
    /// <summary>Where every upstream provider sends people back.</summary>
    public const string CallbackPath = "/account/external/callback";

    public const string AddressPolicyKey = "federation";

    public static IServiceCollection AddFederationClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<FederationSettings>(configuration.GetSection(FederationSettings.Section));
        services.AddKeyedSingleton(AddressPolicyKey, (sp, _) => new OutboundAddressPolicy(sp.GetRequiredService<IOptions<FederationSettings>>().Value.AllowedNetworks));
        SocialProviders social = new([]);
        services.AddOpenIddict().AddClient(client =>
        {
            social = SocialProviders.Register(client, configuration);
            client.AllowAuthorizationCodeFlow();
            // Added, not set: the console adds its own callbacks through its registration.
            client.Configure(options => options.RedirectionEndpointUris.Add(new Uri(CallbackPath[1..], UriKind.Relative)));
            client.UseDataProtection();
            client.AddEventHandler(ExpiredIdentityTokens.Descriptor);
            // OpenIddict requires keys even though Data Protection protects the client's state. Its defaults are RSA-4096,
            // seconds of CPU at every start; a symmetric key and a P-256 key cost microseconds and are as unused.
            client.AddEphemeralEncryptionKey(SecurityAlgorithms.Aes256KW).AddEphemeralSigningKey(SecurityAlgorithms.EcdsaSha256);
            client.UseAspNetCore()
                .EnableRedirectionEndpointPassthrough()
                .EnablePostLogoutRedirectionEndpointPassthrough()
                .EnableErrorPassthrough() // a provider's refusal reaches the callback, which says so on the sign-in page
                .DisableAutomaticAuthenticationSchemeForwarding() // registrations come and go at run time; no scheme per provider
                .DisableTransportSecurityRequirement(); // TLS ends at the proxy or Kestrel, as for the provider
            client.UseSystemNetHttp()
                // One quick retry, not the default four over half a minute: a person is waiting on the sign-in page.
                .SetHttpResiliencePipeline(pipeline => pipeline.AddRetry(new HttpRetryStrategyOptions { MaxRetryAttempts = 1, Delay = TimeSpan.FromMilliseconds(200) }))
                .SetAllowedDecompressionMethods(DecompressionMethods.None) // a compressed response could expand past the size bound
                .ConfigureHttpClient((registration, http) =>
                {
                    if (FederatedClientService.IsTenantRegistration(registration))
                    {
                        var settings = registration.Properties.TryGetValue(nameof(FederationSettings), out var value) && value is FederationSettings s ? s : new FederationSettings();
                        http.Timeout = settings.Timeout;
                        http.MaxResponseContentBufferSize = settings.MaxResponseBytes;
                    }
                });
        });
        services.AddSingleton(social);
        services.AddSingleton<FederatedClientService>();
        services.Replace(ServiceDescriptor.Singleton<OpenIddictClientService>(sp => sp.GetRequiredService<FederatedClientService>()));
        services.TryAddSingleton<IDomainOwnershipVerifier, DnsTxtVerifier>();
        services.AddSingleton<IPostConfigureOptions<HttpClientFactoryOptions>, GuardedProviderConnections>();
        return services;
    }
}

/// <summary>
/// A tenant's provider is reached under the same address rules as a webhook endpoint: OpenIddict insists on an
/// <see cref="HttpClientHandler"/>, which cannot check where it connects, so for tenants' registrations the last handler
/// of the chain sends through a guarded <see cref="SocketsHttpHandler"/> instead (checked at every connect, DNS
/// rebinding included, for discovery and every endpoint it advertises), with no proxy and no redirects.
/// </summary>
internal sealed class GuardedProviderConnections(
    [FromKeyedServices(FederationClient.AddressPolicyKey)] OutboundAddressPolicy policy, IOutboundHostResolver resolver)
    : IPostConfigureOptions<HttpClientFactoryOptions>
{
    private readonly Lazy<HttpMessageInvoker> _guarded = new(() => new HttpMessageInvoker(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectCallback = new GuardedConnector(policy, resolver).ConnectAsync,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    }));

    public void PostConfigure(string? name, HttpClientFactoryOptions options)
    {
        if (OpenIddictClientSystemNetHttpContext.Current?.Registration is { } registration && FederatedClientService.IsTenantRegistration(registration))
        {
            options.HttpMessageHandlerBuilderActions.Add(builder => builder.AdditionalHandlers.Add(new Terminal(_guarded.Value)));
        }
    }

    private sealed class Terminal(HttpMessageInvoker guarded) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            guarded.SendAsync(request, cancellationToken);
    }
}
