using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Duende.IdentityModel.Client;
using Mediator;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;

namespace Modular.Identity.Tests;

/// <summary>
/// The host as an OpenID provider, with real sign-in, the clients below declared in configuration,
/// a tenant "acme" and a user "alice" who belongs to it. Drives the browser steps with a plain
/// HttpClient carrying cookies, as a headless browser would.
/// </summary>
internal sealed partial class OidcHost : IAsyncDisposable
{
    public const string Password = "correct-Horse-battery-9";
    public const string ApiSecret = "api-secret-0123456789";
    public const string ServiceSecret = "service-secret-0123456789";
    public const string RedirectUri = "http://localhost/callback";
    public const string PostLogoutUri = "http://localhost/signed-out";

    private OidcHost(ModularHost host) => Host = host;

    public ModularHost Host { get; }

    public TenantDto Acme { get; private set; } = null!;

    public TenantDto Globex { get; private set; } = null!;

    /// <summary>Starts the host; <paramref name="services"/> adds or replaces services first (e.g. a decorator that counts calls).</summary>
    public static async Task<OidcHost> StartAsync(
        DatabaseProvider provider, PostgresServer postgres, Dictionary<string, string?>? extraSettings = null, Action<IServiceCollection>? services = null,
        PgBouncerServer? pgBouncer = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Identity:Clients:0:ClientId"] = "service",
            ["Identity:Clients:0:ClientSecret"] = ServiceSecret,
            ["Identity:Clients:0:Type"] = "confidential",
            ["Identity:Clients:0:GrantTypes:0"] = "client_credentials",
            ["Identity:Clients:0:Scopes:0"] = "api",
            ["Identity:Clients:0:Tenant"] = "acme",
            ["Identity:Clients:0:Permissions:0"] = TenantsPermissions.Read,
            ["Identity:Clients:1:ClientId"] = "spa",
            ["Identity:Clients:1:Type"] = "public",
            ["Identity:Clients:1:FirstParty"] = "true",
            ["Identity:Clients:1:RedirectUris:0"] = RedirectUri,
            ["Identity:Clients:1:PostLogoutRedirectUris:0"] = PostLogoutUri,
            ["Identity:Clients:1:GrantTypes:0"] = "authorization_code",
            ["Identity:Clients:1:GrantTypes:1"] = "refresh_token",
            ["Identity:Clients:1:Scopes:0"] = "openid",
            ["Identity:Clients:1:Scopes:1"] = "profile",
            ["Identity:Clients:1:Scopes:2"] = "email",
            ["Identity:Clients:1:Scopes:3"] = "offline_access",
            ["Identity:Clients:1:Scopes:4"] = "api",
            ["Identity:Clients:2:ClientId"] = "modular-api",
            ["Identity:Clients:2:ClientSecret"] = ApiSecret,
            ["Identity:Clients:2:Type"] = "confidential",
            ["Identity:Clients:3:ClientId"] = "tv",
            ["Identity:Clients:3:DisplayName"] = "Living-room TV",
            ["Identity:Clients:3:Type"] = "public",
            ["Identity:Clients:3:GrantTypes:0"] = "device_code",
            ["Identity:Clients:3:GrantTypes:1"] = "refresh_token",
            ["Identity:Clients:3:Scopes:0"] = "openid",
            ["Identity:Clients:3:Scopes:1"] = "api",
            ["Identity:Clients:3:Scopes:2"] = "offline_access",
            ["Identity:Clients:4:ClientId"] = "partner",
            ["Identity:Clients:4:DisplayName"] = "Partner Analytics",
            ["Identity:Clients:4:Type"] = "public",
            ["Identity:Clients:4:RedirectUris:0"] = RedirectUri,
            ["Identity:Clients:4:GrantTypes:0"] = "authorization_code",
            ["Identity:Clients:4:Scopes:0"] = "openid",
            ["Identity:Clients:4:Scopes:1"] = "api",
        };
        foreach (var (key, value) in extraSettings ?? [])
        {
            settings[key] = value;
        }

        var host = (pgBouncer is null ? await ModularHost.StartAsync(provider, postgres, settings) : await ModularHost.OnPgBouncerAsync(postgres, pgBouncer, settings))
            .WithRealSignIn().WithServices(services ?? (_ => { }));
        var oidc = new OidcHost(host);
        await oidc.SeedAsync();
        return oidc;
    }

    /// <summary>A client for the protocol's back channel (token, introspection...): no redirects followed.</summary>
    public HttpClient Backchannel() => Host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    /// <summary>A "browser": keeps cookies, does not follow redirects so each step can be checked.</summary>
    public HttpClient Browser() => Host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public async Task<DiscoveryDocumentResponse> DiscoverAsync()
    {
        var disco = await Backchannel().GetDiscoveryDocumentAsync(new DiscoveryDocumentRequest { Address = "http://localhost" }, Ct);
        Assert.False(disco.IsError, disco.Error);
        return disco;
    }

    public static (string Verifier, string Challenge) Pkce()
    {
        var verifier = Duende.IdentityModel.CryptoRandom.CreateUniqueId(32);
        return (verifier, Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    public static string AuthorizeUrl(DiscoveryDocumentResponse disco, string challenge, string scope = "openid profile email offline_access api",
        string redirectUri = RedirectUri, string method = "S256", string? tenant = null, string clientId = "spa") =>
        new RequestUrl(disco.AuthorizeEndpoint!).CreateAuthorizeUrl(
            clientId: clientId, responseType: "code", scope: scope, redirectUri: redirectUri, state: "state-1",
            codeChallenge: challenge, codeChallengeMethod: method,
            extra: tenant is null ? null : Parameters.FromObject(new { tenant }));

    /// <summary>Signs in through the login form; returns the response to the form post.</summary>
    public static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string loginUrl, string user, string password)
    {
        var page = await browser.GetAsync(loginUrl, Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync(Ct);
        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Hidden(html, "__RequestVerificationToken"),
            ["returnUrl"] = Hidden(html, "returnUrl"),
            ["username"] = user,
            ["password"] = password,
        };
        return await browser.PostAsync(IdentityRoutes.Login, new FormUrlEncodedContent(form), Ct);
    }

    /// <summary>Posts a page's form back with its antiforgery token and the given fields.</summary>
    public static async Task<HttpResponseMessage> SubmitAsync(HttpClient browser, string pageUrl, string action, Dictionary<string, string> fields)
    {
        var page = await browser.GetAsync(pageUrl, Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        fields["__RequestVerificationToken"] = Hidden(await page.Content.ReadAsStringAsync(Ct), "__RequestVerificationToken");
        return await browser.PostAsync(action, new FormUrlEncodedContent(fields), Ct);
    }

    /// <summary>A browser already signed in as alice.</summary>
    public static async Task<HttpClient> SignedInBrowserAsync(OidcHost oidc)
    {
        var browser = oidc.Browser();
        var signedIn = await SignInAsync(browser, IdentityRoutes.Login, "alice@example.com", Password);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return browser;
    }

    /// <summary>The whole front channel: authorize → login form → back to authorize → code at the redirect URI.</summary>
    public async Task<Uri> AuthorizeAsync(HttpClient browser, string authorizeUrl, string user = "alice@example.com")
    {
        var first = await browser.GetAsync(authorizeUrl, Ct);
        Assert.Equal(HttpStatusCode.Found, first.StatusCode);
        var login = first.Headers.Location!;
        Assert.StartsWith(IdentityRoutes.Login, login.IsAbsoluteUri ? login.PathAndQuery : login.OriginalString);

        var signedIn = await SignInAsync(browser, login.IsAbsoluteUri ? login.PathAndQuery : login.OriginalString, user, Password);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var back = await browser.GetAsync(signedIn.Headers.Location, Ct);
        Assert.Equal(HttpStatusCode.Found, back.StatusCode);
        return back.Headers.Location!;
    }

    public static string Query(Uri uri, string name) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(uri.Query).TryGetValue(name, out var value) ? value.ToString() : "";

    /// <summary>Validates an access token the way a third-party API would: with the published JWKS alone.</summary>
    public async Task<TokenValidationResult> ValidateWithJwksAsync(DiscoveryDocumentResponse disco, string accessToken)
    {
        var jwks = await Backchannel().GetStringAsync(disco.JwksUri, Ct);
        return await new JsonWebTokenHandler().ValidateTokenAsync(accessToken, new TokenValidationParameters
        {
            ValidIssuer = disco.Issuer,
            ValidAudience = Connect.ConnectEndpoints.ApiResource,
            IssuerSigningKeys = new JsonWebKeySet(jwks).GetSigningKeys(),
            ValidTypes = ["at+jwt"],
        });
    }

    public ValueTask DisposeAsync() => Host.DisposeAsync();

    /// <summary>The OAuth error of a client-credentials grant (null when a token was issued).</summary>
    public static async Task<string?> TokenErrorAsync(ModularHost host, string clientId, string secret)
    {
        var response = await host.CreateClient().RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = "/connect/token",
            ClientId = clientId,
            ClientSecret = secret,
            Scope = "api",
        }, Ct);
        return response.IsError ? response.TryGet("error") ?? response.Error : null;
    }

    /// <summary>As an operator's console would: through the mediator, in a scope of its own, across tenants.</summary>
    public async Task<T> SendAsync<T>(ICommand<T> command)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
        return await scope.ServiceProvider.GetRequiredService<ISender>().Send(command, Ct);
    }

    /// <inheritdoc cref="SendAsync{T}(ICommand{T})"/>
    public async Task<T> SendAsync<T>(IQuery<T> query)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
        return await scope.ServiceProvider.GetRequiredService<ISender>().Send(query, Ct);
    }

    /// <summary>As a tenant's own admin area would: through the mediator, in <paramref name="tenant"/>'s scope.</summary>
    public async Task<T> SendInTenantAsync<T>(TenantDto tenant, ICommand<T> command)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(new TenantInfo(tenant.Id, tenant.Slug, tenant.Plan, IsSuspended: false));
        return await scope.ServiceProvider.GetRequiredService<ISender>().Send(command, Ct);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Every hidden field of a page's form, decoded.</summary>
    public static Dictionary<string, string> HiddenFields(string html) =>
        Regex.Matches(html, "<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"")
            .ToDictionary(m => WebUtility.HtmlDecode(m.Groups[1].Value), m => WebUtility.HtmlDecode(m.Groups[2].Value));

    private static string Hidden(string html, string name)
    {
        var match = Regex.Match(html, $"name=\"{Regex.Escape(name)}\"[^>]*value=\"([^\"]*)\"");
        Assert.True(match.Success, $"the login page should carry {name}");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    private async Task SeedAsync()
    {
        await using var scope = Host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
        var sender = scope.ServiceProvider.GetRequiredService<ISender>();
        Acme = await sender.Send(new CreateTenant("acme", "Acme Corp"), Ct);
        Globex = await sender.Send(new CreateTenant("globex", "Globex"), Ct);

        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var alice = new User { UserName = "alice@example.com", Email = "alice@example.com", EmailConfirmed = true, DisplayName = "Alice", CreatedAt = DateTimeOffset.UtcNow };
        var created = await users.CreateAsync(alice, Password);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));

        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        db.Memberships.Add(Membership.Create(Acme.Id, alice.Id, ["member"], DateTimeOffset.UtcNow));
        await db.SaveChangesAsync(Ct);
    }
}
