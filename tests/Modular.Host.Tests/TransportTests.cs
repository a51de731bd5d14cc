using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Mvc.Testing;
using Modular.Identity.Contracts;
using Modular.Tenants.Contracts;

namespace Modular.Host.Tests;

/// <summary>
/// HTTPS as a production host enforces it (<c>Https:Required</c>, on outside Development; the test harness turns
/// it off because it talks plain HTTP to the in-memory server). Whatever crossed plain HTTP with credentials or
/// data gets a refusal, not a redirect that invites the client to send it again; a page a browser navigates to
/// is redirected; HTTPS answers carry a year of HSTS.
/// </summary>
public sealed class TransportTests(PostgresServer postgres)
{
    /// <summary>The stable problem type of the refusal (<c>ProblemTypes.HttpsRequired</c>).</summary>
    private const string HttpsRequired = "urn:modular:problem:https-required";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Over_plain_http_api_token_and_form_requests_are_refused_not_redirected()
    {
        await using var host = await ProductionLikeAsync();
        var client = Client(host, "http://localhost");

        var api = await client.GetAsync(TenantsRoutes.Tenants, Ct);
        var problem = await api.AssertProblemAsync(HttpStatusCode.Forbidden, HttpsRequired);
        Assert.Contains("HTTPS", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Null(api.Headers.Location);
        Assert.False(api.Headers.Contains("Strict-Transport-Security"), "HSTS means nothing over plain HTTP");

        var secret = await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "service",
            ["client_secret"] = "sent-in-clear",
        }), Ct);
        await secret.AssertProblemAsync(HttpStatusCode.Forbidden, HttpsRequired);

        var userInfo = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo");
        userInfo.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "a-token-sent-in-clear");
        await (await client.SendAsync(userInfo, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, HttpsRequired);

        var password = await client.PostAsync(IdentityRoutes.Login, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = "alice@example.com",
            ["password"] = "sent-in-clear",
        }), Ct);
        await password.AssertProblemAsync(HttpStatusCode.Forbidden, HttpsRequired);
    }

    [Fact]
    public async Task Over_plain_http_a_page_is_redirected_to_https_and_probes_are_answered()
    {
        await using var host = await ProductionLikeAsync();
        var client = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var page = await client.GetAsync($"{IdentityRoutes.Login}?returnUrl=%2Fadmin", Ct);
        Assert.Equal(HttpStatusCode.TemporaryRedirect, page.StatusCode);
        Assert.Equal("https://localhost/account/login?returnUrl=%2Fadmin", page.Headers.Location?.ToString());
        Assert.False(page.Headers.Contains("Set-Cookie"), "nothing is issued over plain HTTP");

        // Health probes come from inside the network, over plain HTTP, and carry nothing.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live", Ct)).StatusCode);
    }

    [Fact]
    public async Task Over_https_the_api_answers_with_a_year_of_hsts_including_subdomains()
    {
        await using var host = await ProductionLikeAsync();
        var client = Client(host, "https://platform.example");

        var response = await client.GetAsync(TenantsRoutes.Tenants, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("max-age=31536000; includeSubDomains", response.Headers.GetValues("Strict-Transport-Security").Single());
    }

    [Fact]
    public async Task Hsts_is_configurable()
    {
        await using var host = await ProductionLikeAsync(new()
        {
            ["Hsts:MaxAge"] = "730.00:00:00",
            ["Hsts:Preload"] = "true",
        });

        var response = await Client(host, "https://platform.example").GetAsync(IdentityRoutes.Login, Ct);

        Assert.Equal("max-age=63072000; includeSubDomains; preload", response.Headers.GetValues("Strict-Transport-Security").Single());
    }

    [Fact]
    public async Task Behind_a_proxy_that_ended_tls_the_forwarded_scheme_decides()
    {
        await using var host = await ProductionLikeAsync(new() { ["FORWARDEDHEADERS_ENABLED"] = "true" });
        var client = Client(host, "http://localhost");

        var viaTls = new HttpRequestMessage(HttpMethod.Get, TenantsRoutes.Tenants);
        viaTls.Headers.Add("X-Forwarded-Proto", "https");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(viaTls, Ct)).StatusCode);

        var inClear = new HttpRequestMessage(HttpMethod.Get, TenantsRoutes.Tenants);
        inClear.Headers.Add("X-Forwarded-Proto", "http");
        await (await client.SendAsync(inClear, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, HttpsRequired);
    }

    /// <summary>A host with production's transport rules, and the HTTPS port it redirects pages to.</summary>
    private async Task<ModularHost> ProductionLikeAsync(Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?> { ["Https:Required"] = "true", ["https_port"] = "443" };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        return await ModularHost.OnPostgresAsync(postgres, all);
    }

    /// <summary>An operator's client that does not follow redirects (HSTS is never sent to localhost: https uses a name of its own).</summary>
    private static HttpClient Client(ModularHost host, string baseAddress)
    {
        var client = host.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri(baseAddress), AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe("operator", [TenantsPermissions.Read]));
        return client;
    }
}
