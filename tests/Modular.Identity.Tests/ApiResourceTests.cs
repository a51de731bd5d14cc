using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Duende.IdentityModel.Client;
using Modular.Identity.Contracts;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;

namespace Modular.Identity.Tests;

/// <summary>
/// <c>/api/v1/identity/resources</c>: a SaaS app's own API registered with the provider. A token for its scopes carries
/// its audience, so its resource server's client can introspect it, and a token for another resource stays inactive to it.
/// </summary>
public sealed class ApiResourceTests(PostgresServer postgres)
{
    private const string BillingSecret = "billing-server-secret-0123456789";
    private const string ReportsSecret = "reports-server-secret-0123456789";

    private static readonly string[] Operator = [IdentityPermissions.ClientsManage];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Two APIs' servers, as an operator registers them: confidential clients that only introspect.</summary>
    private static readonly Dictionary<string, string?> ResourceServers = new()
    {
        ["Identity:Clients:0:ClientId"] = "billing-server",
        ["Identity:Clients:0:ClientSecret"] = BillingSecret,
        ["Identity:Clients:0:Type"] = "confidential",
        ["Identity:Clients:1:ClientId"] = "reports-server",
        ["Identity:Clients:1:ClientSecret"] = ReportsSecret,
        ["Identity:Clients:1:Type"] = "confidential",
        ["Identity:Clients:2:ClientId"] = "spa",
        ["Identity:Clients:2:Type"] = "public",
        ["Identity:Clients:2:RedirectUris:0"] = "http://localhost/callback",
        ["Identity:Clients:2:GrantTypes:0"] = "authorization_code",
    };

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_resource_server_introspects_tokens_for_its_own_scopes_and_no_others(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres, ResourceServers);
        var api = host.CreateClientAs("operator", Operator);
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync(IdentityRoutes.ApiResources,
            new { name = "billing-api", displayName = "Billing", scopes = new[] { "billing.read", "billing.write" }, resourceServer = "billing-server" }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync(IdentityRoutes.ApiResources,
            new { name = "reports-api", scopes = new[] { "reports.read" }, resourceServer = "reports-server" }, Ct)).StatusCode);
        var resources = (await api.GetFromJsonAsync<List<ApiResourceDefinition>>(IdentityRoutes.ApiResources, Ct))!;
        Assert.Equal(["billing-api", "reports-api"], resources.Select(r => r.Name));
        Assert.Equal(["billing.read", "billing.write"], resources[0].Scopes);
        Assert.Equal("billing-server", resources[0].ResourceServer);

        // A client that may ask for one billing scope, and one that may ask for reports.
        var worker = await CreateWorkerAsync(api, "billing-worker", ["api", "billing.read"]);
        var reporter = await CreateWorkerAsync(api, "reports-worker", ["reports.read"]);

        var billingToken = await TokenAsync(host, "billing-worker", worker, "billing.read");
        Assert.Equal(["billing-api", "billing-server", "modular-api"], Audiences(billingToken));
        Assert.True(await IntrospectAsync(host, "billing-server", BillingSecret, billingToken));
        Assert.False(await IntrospectAsync(host, "reports-server", ReportsSecret, billingToken));

        var reportsToken = await TokenAsync(host, "reports-worker", reporter, "reports.read");
        Assert.True(await IntrospectAsync(host, "reports-server", ReportsSecret, reportsToken));
        Assert.False(await IntrospectAsync(host, "billing-server", BillingSecret, reportsToken));

        // Only the platform's scope: the platform's audience alone, opaque to the billing server.
        var platformToken = await TokenAsync(host, "billing-worker", worker, "api");
        Assert.Equal(["modular-api"], Audiences(platformToken));
        Assert.False(await IntrospectAsync(host, "billing-server", BillingSecret, platformToken));

        // A scope the client was not given is refused, though it exists (OpenIddict answers invalid_request to that).
        Assert.Equal("invalid_request", await TokenErrorAsync(host, "billing-worker", worker, "billing.write"));

        // Dropping a scope and deleting a resource take them from the clients too: asking for them fails.
        var updated = await api.PutAsJsonAsync(IdentityRoutes.ApiResource("billing-api"),
            new { displayName = "Billing", scopes = new[] { "billing.write" }, resourceServer = "billing-server" }, Ct);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(["billing.write"], (await updated.Content.ReadFromJsonAsync<ApiResourceDefinition>(Ct))!.Scopes);
        Assert.Equal("invalid_scope", await TokenErrorAsync(host, "billing-worker", worker, "billing.read"));
        // (No openid: nobody signs in with client credentials.)
        Assert.Equal(["api"], (await api.GetFromJsonAsync<ClientDto>(IdentityRoutes.Client("billing-worker"), Ct))!.Client.Scopes);

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync(IdentityRoutes.ApiResource("reports-api"), Ct)).StatusCode);
        await (await api.GetAsync(IdentityRoutes.ApiResource("reports-api"), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        Assert.Equal("invalid_scope", await TokenErrorAsync(host, "reports-worker", reporter, "reports.read"));
        Assert.Empty((await api.GetFromJsonAsync<ClientDto>(IdentityRoutes.Client("reports-worker"), Ct))!.Client.Scopes);
    }

    [Fact]
    public async Task A_users_token_for_a_resources_scope_carries_its_audience_through_the_code_flow()
    {
        // The first-party app may ask for billing.read (configuration is trusted); the resource it belongs to is made at run time.
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres, new() { ["Identity:Clients:1:Scopes:5"] = "billing.read" });
        await oidc.SendAsync(new CreateApiResource { Name = "billing-api", Scopes = ["billing.read"], ResourceServer = "service" });
        var disco = await oidc.DiscoverAsync();
        var (verifier, challenge) = OidcHost.Pkce();

        var redirect = await oidc.AuthorizeAsync(oidc.Browser(), OidcHost.AuthorizeUrl(disco, challenge, scope: "openid billing.read"));
        var tokens = await oidc.Backchannel().RequestAuthorizationCodeTokenAsync(new AuthorizationCodeTokenRequest
        {
            Address = disco.TokenEndpoint,
            ClientId = "spa",
            Code = OidcHost.Query(redirect, "code"),
            RedirectUri = OidcHost.RedirectUri,
            CodeVerifier = verifier,
        }, Ct);
        Assert.False(tokens.IsError, tokens.Error);

        Assert.Equal(["billing-api", "modular-api", "service"], Audiences(tokens.AccessToken!));
        var introspected = await oidc.Backchannel().IntrospectTokenAsync(new TokenIntrospectionRequest
        {
            Address = disco.IntrospectionEndpoint,
            ClientId = "service",
            ClientSecret = OidcHost.ServiceSecret,
            Token = tokens.AccessToken!,
        }, Ct);
        Assert.True(introspected.IsActive, introspected.Error);
    }

    [Fact]
    public async Task Bad_resources_are_refused_naming_the_field_and_nothing_is_stored()
    {
        await using var host = await ModularHost.StartAsync(DatabaseProvider.Sqlite, postgres, ResourceServers);
        var api = host.CreateClientAs("operator", Operator);
        var valid = new Dictionary<string, object?>
        {
            ["name"] = "billing-api",
            ["scopes"] = new[] { "billing.read" },
            ["resourceServer"] = "billing-server",
        };

        async Task AssertRefusedAsync(string field, string key, object? value)
        {
            var body = new Dictionary<string, object?>(valid) { [key] = value };
            var response = await api.PostAsJsonAsync(IdentityRoutes.ApiResources, body, Ct);
            (await response.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField(field);
        }

        await AssertRefusedAsync("name", "name", "");
        await AssertRefusedAsync("name", "name", "https://api.example/with/slashes");
        await AssertRefusedAsync("name", "name", "modular-api");
        await AssertRefusedAsync("displayName", "displayName", new string('d', 201));
        await AssertRefusedAsync("scopes", "scopes", Array.Empty<string>());
        await AssertRefusedAsync("scopes", "scopes", new[] { "billing.read", "billing.read" });
        await AssertRefusedAsync("scopes", "scopes", Enumerable.Range(0, 21).Select(i => $"s{i}").ToArray());
        await AssertRefusedAsync("scopes[0]", "scopes", new[] { "openid" });
        await AssertRefusedAsync("scopes[0]", "scopes", new[] { "has space" });
        await AssertRefusedAsync("resourceServer", "resourceServer", "");
        await AssertRefusedAsync("resourceServer", "resourceServer", "nobody");
        await AssertRefusedAsync("resourceServer", "resourceServer", "spa"); // public: it has no secret to introspect with
        Assert.Empty((await api.GetFromJsonAsync<List<ApiResourceDefinition>>(IdentityRoutes.ApiResources, Ct))!);

        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync(IdentityRoutes.ApiResources, valid, Ct)).StatusCode);
        await (await api.PostAsJsonAsync(IdentityRoutes.ApiResources, valid, Ct)).AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.Conflict);

        // A scope belongs to one resource: another cannot take it, and a client cannot ask for one nobody owns.
        var taken = new Dictionary<string, object?>(valid) { ["name"] = "other-api", ["scopes"] = new[] { "other.read", "billing.read" } };
        (await (await api.PostAsJsonAsync(IdentityRoutes.ApiResources, taken, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation))
            .AssertNamesField("scopes[1]");
        var unowned = new { clientId = "worker", type = "confidential", grantTypes = new[] { "client_credentials" }, scopes = new[] { "other.read" } };
        (await (await api.PostAsJsonAsync(IdentityRoutes.Clients, unowned, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation))
            .AssertNamesField("scopes[0]");
        var stored = (await api.GetFromJsonAsync<List<ApiResourceDefinition>>(IdentityRoutes.ApiResources, Ct))!;
        Assert.Equal(["billing-api"], stored.Select(r => r.Name));
        Assert.Equal(["billing.read"], stored[0].Scopes);

        foreach (var request in new[]
        {
            new HttpRequestMessage(HttpMethod.Get, IdentityRoutes.ApiResource("nope")),
            new HttpRequestMessage(HttpMethod.Put, IdentityRoutes.ApiResource("nope"))
            {
                Content = JsonContent.Create(new { scopes = new[] { "nope.read" }, resourceServer = "billing-server" }),
            },
            new HttpRequestMessage(HttpMethod.Delete, IdentityRoutes.ApiResource("nope")),
        })
        {
            await (await api.SendAsync(request, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        }

        // Registering APIs is an operator's: a user-reader may not even list them, and nobody anonymous.
        var reader = host.CreateClientAs("reader", [IdentityPermissions.UsersRead]);
        await (await reader.GetAsync(IdentityRoutes.ApiResources, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await reader.PostAsJsonAsync(IdentityRoutes.ApiResources, valid, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await host.CreateClient().GetAsync(IdentityRoutes.ApiResources, Ct)).AssertProblemAsync(HttpStatusCode.Unauthorized, ProblemTypes.Unauthorized);
    }

    private static async Task<string> CreateWorkerAsync(HttpClient api, string clientId, string[] scopes)
    {
        var created = await api.PostAsJsonAsync(IdentityRoutes.Clients,
            new { clientId, type = "confidential", grantTypes = new[] { "client_credentials" }, scopes }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<ClientWithSecret>(Ct))!.ClientSecret!;
    }

    private static async Task<TokenResponse> RequestTokenAsync(ModularHost host, string clientId, string secret, string scope) =>
        await host.CreateClient().RequestClientCredentialsTokenAsync(
            new ClientCredentialsTokenRequest { Address = "/connect/token", ClientId = clientId, ClientSecret = secret, Scope = scope }, Ct);

    private static async Task<string> TokenAsync(ModularHost host, string clientId, string secret, string scope)
    {
        var response = await RequestTokenAsync(host, clientId, secret, scope);
        Assert.False(response.IsError, response.Error);
        return response.AccessToken!;
    }

    private static async Task<string?> TokenErrorAsync(ModularHost host, string clientId, string secret, string scope) =>
        (await RequestTokenAsync(host, clientId, secret, scope)).Error;

    private static async Task<bool> IntrospectAsync(ModularHost host, string clientId, string secret, string token)
    {
        var response = await host.CreateClient().IntrospectTokenAsync(
            new TokenIntrospectionRequest { Address = "/connect/introspect", ClientId = clientId, ClientSecret = secret, Token = token }, Ct);
        Assert.False(response.IsError, response.Error);
        return response.IsActive;
    }

    /// <summary>The token's <c>aud</c>, read from its payload (the signature is the provider's business, checked elsewhere).</summary>
    private static string[] Audiences(string token)
    {
        var payload = JsonDocument.Parse(Convert.FromBase64String(Pad(token.Split('.')[1]))).RootElement.GetProperty("aud");
        var audiences = payload.ValueKind == JsonValueKind.Array ? payload.EnumerateArray().Select(a => a.GetString()!).ToArray() : [payload.GetString()!];
        return [.. audiences.Order(StringComparer.Ordinal)];

        static string Pad(string part) => part.Replace('-', '+').Replace('_', '/') + new string('=', (4 - part.Length % 4) % 4);
    }
}
