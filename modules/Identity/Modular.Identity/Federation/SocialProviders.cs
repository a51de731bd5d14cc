using System.Security.Claims;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Modular.Identity.Federation;

/// <summary>
/// Sign-in with GitHub, Google and Microsoft: OpenIddict's own integrations of those services (OpenIddict.Client.WebIntegration),
/// each registered only when <c>Identity:Social:&lt;Provider&gt;:ClientId</c> and <c>ClientSecret</c> are set, so an unconfigured
/// provider has no button, no route and no registration.
/// </summary>
internal sealed class SocialProviders
{
    public const string Section = "Identity:Social";

    private const string Prefix = "social-";

    public SocialProviders(IReadOnlyList<SocialProvider> configured) => Configured = configured;

    /// <summary>The providers this host offers, in the order their buttons show.</summary>
    public IReadOnlyList<SocialProvider> Configured { get; }

    public SocialProvider? Find(string? name) =>
        Configured.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The provider a registration id names (<c>social-github</c>), configured or not.</summary>
    public static SocialProvider? OfRegistration(string? registrationId) =>
        registrationId is { Length: > 7 } && registrationId.StartsWith(Prefix, StringComparison.Ordinal)
            ? All.FirstOrDefault(p => p.RegistrationId == registrationId)
            : null;

    /// <summary>
    /// The three, with whether each one's word on an email address may stand for its owner's (see docs/adr/0018-federation.md):
    /// Google says so per address (<c>email_verified</c>); GitHub only publishes an address on a profile once its owner verified
    /// it; Microsoft's <c>email</c> is a value any directory admin can set, so it vouches for nothing.
    /// </summary>
    public static readonly IReadOnlyList<SocialProvider> All =
    [
        new("GitHub", Prefix + "github", _ => true),
        new("Google", Prefix + "google", principal => bool.TryParse(principal.FindFirst("email_verified")?.Value, out var verified) && verified),
        new("Microsoft", Prefix + "microsoft", _ => false),
    ];

    /// <summary>Adds OpenIddict's integration of each configured provider to the host's client; returns the configured ones.</summary>
    internal static SocialProviders Register(OpenIddictClientBuilder client, IConfiguration configuration)
    {
        var configured = new List<SocialProvider>();
        var section = configuration.GetSection(Section);
        OpenIddictClientWebIntegrationBuilder? web = null;
        foreach (var provider in All)
        {
            var settings = section.GetSection(provider.Name);
            if (settings["ClientId"] is not { Length: > 0 } clientId || settings["ClientSecret"] is not { Length: > 0 } secret)
            {
                continue;
            }

            web ??= client.UseWebProviders();
            var callback = new Uri(FederationClient.CallbackPath[1..], UriKind.Relative);
            switch (provider.Name)
            {
                case "GitHub":
                    web.AddGitHub(github => github.SetRegistrationId(provider.RegistrationId).SetClientId(clientId).SetClientSecret(secret)
                        .SetRedirectUri(callback).AddScopes("user:email"));
                    break;
                case "Google":
                    web.AddGoogle(google => google.SetRegistrationId(provider.RegistrationId).SetClientId(clientId).SetClientSecret(secret)
                        .SetRedirectUri(callback).AddScopes("email", "profile"));
                    break;
                case "Microsoft":
                    web.AddMicrosoft(microsoft => microsoft.SetRegistrationId(provider.RegistrationId).SetClientId(clientId).SetClientSecret(secret)
                        .SetRedirectUri(callback).SetTenant(settings["Tenant"] is { Length: > 0 } tenant ? tenant : "common").AddScopes("email", "profile"));
                    break;
            }

            configured.Add(provider);
        }

        return new SocialProviders(configured);
    }
}

/// <param name="Name">Shown on its button, and the login provider name its accounts' links are kept under.</param>
/// <param name="RegistrationId">The OpenIddict client registration.</param>
/// <param name="VouchesForEmail">Whether the provider's email claim may stand for the owner's (an existing account may be linked on it).</param>
internal sealed record SocialProvider(string Name, string RegistrationId, Func<ClaimsPrincipal, bool> VouchesForEmail);
