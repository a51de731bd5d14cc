using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Modular.Identity.Contracts;
using Modular.Identity.Persistence;
using Modular.Kernel.Tenancy;

namespace Modular.Identity.Tests;

/// <summary>A browser's round trips through the upstream provider (panva's oidc-provider), for SSO and social sign-in.</summary>
internal static partial class UpstreamFlows
{
    /// <summary>Where every upstream provider sends people back, as the host's browser sees it.</summary>
    public static readonly Uri Callback = new("https://localhost/account/external/callback");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// A browser on https: OpenIddict's correlation cookie is Secure, which a real browser keeps on loopback http too but a
    /// cookie container does not.
    /// </summary>
    public static HttpClient Browser(OidcHost oidc) => oidc.Host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
    {
        AllowAutoRedirect = false,
        HandleCookies = true,
        BaseAddress = new Uri("https://localhost"),
    });

    /// <summary>
    /// From the host's challenge (a redirect to the provider) through the provider's login form as <paramref name="login"/>
    /// (or its Cancel link when null) and back to the host's callback. Returns the callback's answer.
    /// </summary>
    public static async Task<HttpResponseMessage> FollowProviderAsync(HttpClient browser, HttpResponseMessage challenge, string? login)
    {
        Assert.True(challenge.StatusCode == HttpStatusCode.Redirect, $"the challenge answered {challenge.StatusCode}: {await challenge.Content.ReadAsStringAsync(Ct)}");
        using var provider = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });
        var next = challenge.Headers.Location!;
        while (next.Host != "localhost")
        {
            var response = await provider.GetAsync(next, Ct);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var html = await response.Content.ReadAsStringAsync(Ct);
                if (login is null)
                {
                    next = new Uri(next, WebUtility.HtmlDecode(AbortLink().Match(html).Groups[1].Value));
                    continue;
                }

                var action = new Uri(next, WebUtility.HtmlDecode(FormAction().Match(html).Groups[1].Value));
                response = await provider.PostAsync(action, new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["prompt"] = "login",
                    ["login"] = login,
                    ["password"] = "any",
                }), Ct);
            }

            Assert.True((int)response.StatusCode is >= 300 and < 400, $"the provider answered {response.StatusCode}");
            next = new Uri(next, response.Headers.Location!);
        }

        return await browser.GetAsync(next.PathAndQuery, Ct);
    }

    /// <summary>A connection of <paramref name="tenant"/> to the upstream provider, with a client registered there, and its domain verified.</summary>
    public static async Task<Guid> ConnectAsync(UpstreamIdentityProvider upstream, OidcHost oidc, Tenants.Contracts.TenantDto tenant, string domain, Dictionary<string, string> groupRoles, bool enforce = false)
    {
        var (clientId, secret) = await upstream.RegisterClientAsync(Callback, Ct);
        var connection = await oidc.SendInTenantAsync(tenant, new CreateSsoConnection
        {
            Name = $"{tenant.Slug} IdP",
            Issuer = upstream.Issuer.ToString(),
            ClientId = clientId,
            ClientSecret = secret,
            Scopes = ["email", "profile", "groups"],
            ClaimMapping = new SsoClaimMapping { GroupRoles = groupRoles },
            EnforceSso = enforce,
        });
        var claimed = await oidc.SendInTenantAsync(tenant, new AddSsoDomain(connection.Id, domain));
        await oidc.SendInTenantAsync(tenant, new ConfirmSsoDomain(connection.Id, claimed.Id));
        return connection.Id;
    }

    /// <summary>Reads Identity's tables across tenants.</summary>
    public static async Task<T> ReadAsync<T>(OidcHost oidc, Func<IdentityDbContext, Task<T>> read)
    {
        await using var scope = oidc.Host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
        return await read(scope.ServiceProvider.GetRequiredService<IdentityDbContext>());
    }

    [GeneratedRegex("<form[^>]*action=\"([^\"]+)\"")]
    private static partial Regex FormAction();

    [GeneratedRegex("href=\"([^\"]*/abort)\"")]
    private static partial Regex AbortLink();
}
