using System.Net;
using Modular.Kernel.Persistence;

namespace Modular.Identity.Tests;

/// <summary>Third-party clients get a consent screen; first-party ones (see OidcFlowTests) do not.</summary>
public sealed class ConsentTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_third_party_client_gets_a_code_only_after_the_user_allows_it_once()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var disco = await oidc.DiscoverAsync();
        var browser = await OidcHost.SignedInBrowserAsync(oidc);
        var url = OidcHost.AuthorizeUrl(disco, OidcHost.Pkce().Challenge, scope: "openid api", clientId: "partner");

        var consent = await browser.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.OK, consent.StatusCode);
        var html = await consent.Content.ReadAsStringAsync(Ct);
        Assert.Contains("Partner Analytics", html);
        Assert.Contains("<li>api</li>", html);

        var fields = OidcHost.HiddenFields(html);
        fields["consent"] = "accept";
        var allowed = await browser.PostAsync("/connect/authorize", new FormUrlEncodedContent(fields), Ct);
        Assert.Equal(HttpStatusCode.Found, allowed.StatusCode);
        Assert.NotEmpty(OidcHost.Query(allowed.Headers.Location!, "code"));

        // Allowed once: the next authorization goes straight through.
        var again = await browser.GetAsync(OidcHost.AuthorizeUrl(disco, OidcHost.Pkce().Challenge, scope: "openid api", clientId: "partner"), Ct);
        Assert.Equal(HttpStatusCode.Found, again.StatusCode);
        Assert.NotEmpty(OidcHost.Query(again.Headers.Location!, "code"));
    }

    [Fact]
    public async Task Denying_or_forging_the_consent_gets_no_code()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var disco = await oidc.DiscoverAsync();
        var browser = await OidcHost.SignedInBrowserAsync(oidc);
        var url = OidcHost.AuthorizeUrl(disco, OidcHost.Pkce().Challenge, scope: "openid api", clientId: "partner");
        var fields = OidcHost.HiddenFields(await (await browser.GetAsync(url, Ct)).Content.ReadAsStringAsync(Ct));

        var forged = new Dictionary<string, string>(fields.Where(f => f.Key != "__RequestVerificationToken")) { ["consent"] = "accept" };
        var forgedResponse = await browser.PostAsync("/connect/authorize", new FormUrlEncodedContent(forged), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, forgedResponse.StatusCode);
        Assert.Null(forgedResponse.Headers.Location);

        fields["consent"] = "deny";
        var denied = await browser.PostAsync("/connect/authorize", new FormUrlEncodedContent(fields), Ct);
        Assert.Equal("access_denied", OidcHost.Query(denied.Headers.Location!, "error"));
        Assert.Empty(OidcHost.Query(denied.Headers.Location!, "code"));

        var silent = await browser.GetAsync(url + "&prompt=none", Ct);
        Assert.Equal("consent_required", OidcHost.Query(silent.Headers.Location!, "error"));
    }
}
