using System.Net;
using Duende.IdentityModel.Client;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using OpenIddict.Abstractions;

namespace Modular.Identity.Tests;

/// <summary>
/// The OpenID endpoints and the sign-in form under attack: guessing client secrets and passwords is cut off
/// per client id or user name and per address, and the anonymous endpoints share the address's request
/// budget. Callers are told apart by the address their proxy reports (X-Forwarded-For), as in production
/// behind a load balancer.
/// </summary>
public sealed class RateLimitTests(PostgresServer postgres)
{
    private const string Attacker = "203.0.113.66";
    private const string Elsewhere = "198.51.100.20";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Guessing_a_client_secret_is_cut_off_after_the_failure_limit_and_then_even_the_right_secret_waits()
    {
        await using var oidc = await StartAsync(failuresPerName: 5, failuresPerAddress: 20);
        var attacker = From(oidc, Attacker);

        var answers = new List<TokenResponse>();
        for (var i = 0; i < 60; i++)
        {
            answers.Add(await ClientCredentialsAsync(attacker, "service", $"guess-{i}"));
        }

        Assert.All(answers.Take(5), answer => Assert.Equal(HttpStatusCode.Unauthorized, answer.HttpStatusCode));
        Assert.All(answers.Skip(5), answer => Assert.Equal(HttpStatusCode.TooManyRequests, answer.HttpStatusCode));
        await AssertRateLimitedAsync(answers[^1].HttpResponse!);

        // The penalty holds for the client id: the right secret is refused too, from there and from elsewhere.
        await AssertRateLimitedAsync((await ClientCredentialsAsync(attacker, "service", OidcHost.ServiceSecret)).HttpResponse!);
        await AssertRateLimitedAsync((await ClientCredentialsAsync(From(oidc, Elsewhere), "service", OidcHost.ServiceSecret)).HttpResponse!);

        // Another client, from another address, is not affected.
        var introspection = await From(oidc, Elsewhere).IntrospectTokenAsync(new TokenIntrospectionRequest
        {
            Address = "http://localhost/connect/introspect",
            ClientId = "modular-api",
            ClientSecret = OidcHost.ApiSecret,
            Token = "not-a-token",
        }, Ct);
        Assert.Equal(HttpStatusCode.OK, introspection.HttpStatusCode);
    }

    [Fact]
    public async Task One_address_guessing_the_secrets_of_many_clients_is_cut_off()
    {
        await using var oidc = await StartAsync(failuresPerName: 5, failuresPerAddress: 6);
        var attacker = From(oidc, Attacker);

        // Three wrong guesses for each of two clients: no client reaches its limit, the address does.
        foreach (var client in new[] { "service", "modular-api", "service", "modular-api", "service", "modular-api" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await ClientCredentialsAsync(attacker, client, "guess")).HttpStatusCode);
        }

        await AssertRateLimitedAsync((await ClientCredentialsAsync(attacker, "service", OidcHost.ServiceSecret)).HttpResponse!);
        Assert.Equal(HttpStatusCode.OK, (await ClientCredentialsAsync(From(oidc, Elsewhere), "service", OidcHost.ServiceSecret)).HttpStatusCode);
    }

    [Fact]
    public async Task Anonymous_device_authorization_requests_are_limited_and_stop_storing_codes()
    {
        await using var oidc = await StartAsync(requestsPerAddress: 5);
        var attacker = From(oidc, Attacker);

        var statuses = new List<HttpStatusCode>();
        long storedAfterTheBudget = 0;
        for (var i = 0; i < 12; i++)
        {
            var response = await attacker.PostAsync("/connect/device", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["client_id"] = "tv",
                ["scope"] = "openid api",
            }), Ct);
            statuses.Add(response.StatusCode);
            if (i == 4)
            {
                storedAfterTheBudget = await StoredTokensAsync(oidc);
            }
            else if (i == 11)
            {
                await AssertRateLimitedAsync(response);
            }
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, 5).Concat(Enumerable.Repeat(HttpStatusCode.TooManyRequests, 7)), statuses);
        Assert.Equal(storedAfterTheBudget, await StoredTokensAsync(oidc));
    }

    [Fact]
    public async Task Introspection_revocation_userinfo_and_the_token_endpoint_share_the_addresss_budget()
    {
        await using var oidc = await StartAsync(requestsPerAddress: 4);
        var token = await ClientCredentialsAsync(From(oidc, Elsewhere), "service", OidcHost.ServiceSecret);
        Assert.False(token.IsError, token.Error);
        var attacker = From(oidc, Attacker);
        var introspect = new TokenIntrospectionRequest
        {
            Address = "http://localhost/connect/introspect",
            ClientId = "modular-api",
            ClientSecret = OidcHost.ApiSecret,
            Token = token.AccessToken!,
        };

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await attacker.IntrospectTokenAsync(introspect, Ct)).HttpStatusCode);
        }

        await AssertRateLimitedAsync((await attacker.IntrospectTokenAsync(introspect, Ct)).HttpResponse!);
        await AssertRateLimitedAsync((await attacker.RevokeTokenAsync(new TokenRevocationRequest
        {
            Address = "http://localhost/connect/revoke",
            ClientId = "modular-api",
            ClientSecret = OidcHost.ApiSecret,
            Token = token.AccessToken!,
        }, Ct)).HttpResponse!);
        await AssertRateLimitedAsync((await attacker.GetUserInfoAsync(new UserInfoRequest { Address = "http://localhost/connect/userinfo", Token = token.AccessToken! }, Ct)).HttpResponse!);
        await AssertRateLimitedAsync((await ClientCredentialsAsync(attacker, "service", OidcHost.ServiceSecret)).HttpResponse!);
        await AssertRateLimitedAsync(await attacker.GetAsync("/.well-known/openid-configuration", Ct));

        // Another address has its own budget.
        Assert.Equal(HttpStatusCode.OK, (await From(oidc, Elsewhere).IntrospectTokenAsync(introspect, Ct)).HttpStatusCode);
    }

    [Fact]
    public async Task Failed_logins_are_limited_per_user_name_and_per_address()
    {
        await using var oidc = await StartAsync(failuresPerName: 3, failuresPerAddress: 5);
        await CreateUserAsync(oidc, "bob@example.com");

        // Guessing alice's password from one address: after three failures even her password is refused there...
        var attacker = Browser(oidc, Attacker);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await OidcHost.SignInAsync(attacker, IdentityRoutes.Login, "alice@example.com", $"guess-{i}")).StatusCode);
        }

        await AssertRateLimitedAsync(await OidcHost.SignInAsync(attacker, IdentityRoutes.Login, "alice@example.com", OidcHost.Password));
        // ...and from anywhere else until the window ends, while other users sign in as usual.
        var elsewhere = Browser(oidc, Elsewhere);
        await AssertRateLimitedAsync(await OidcHost.SignInAsync(elsewhere, IdentityRoutes.Login, "ALICE@example.com", OidcHost.Password));
        Assert.Equal(HttpStatusCode.Redirect, (await OidcHost.SignInAsync(elsewhere, IdentityRoutes.Login, "bob@example.com", OidcHost.Password)).StatusCode);

        // Spraying one password over many names from one address: the address is cut off.
        var sprayer = Browser(oidc, "192.0.2.99");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await OidcHost.SignInAsync(sprayer, IdentityRoutes.Login, $"user{i}@example.com", "Password123!")).StatusCode);
        }

        await AssertRateLimitedAsync(await OidcHost.SignInAsync(sprayer, IdentityRoutes.Login, "bob@example.com", OidcHost.Password));
    }

    private Task<OidcHost> StartAsync(int requestsPerAddress = 100_000, int failuresPerName = 100_000, int failuresPerAddress = 100_000) =>
        OidcHost.StartAsync(DatabaseProvider.Postgres, postgres, new Dictionary<string, string?>
        {
            ["FORWARDEDHEADERS_ENABLED"] = "true", // as behind a proxy: X-Forwarded-For is the caller's address
            ["RateLimiting:PermitLimit"] = requestsPerAddress.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RateLimiting:Window"] = "01:00:00",
            ["RateLimiting:FailedSignIns:PermitLimit"] = failuresPerName.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RateLimiting:FailedSignIns:AddressPermitLimit"] = failuresPerAddress.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RateLimiting:FailedSignIns:Window"] = "01:00:00",
        });

    private static HttpClient From(OidcHost oidc, string address)
    {
        var client = oidc.Backchannel();
        client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        return client;
    }

    private static HttpClient Browser(OidcHost oidc, string address)
    {
        var browser = oidc.Browser();
        browser.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        return browser;
    }

    private static Task<TokenResponse> ClientCredentialsAsync(HttpClient http, string clientId, string secret) =>
        http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = "http://localhost/connect/token",
            ClientId = clientId,
            ClientSecret = secret,
            Scope = clientId == "service" ? "api" : null,
        }, Ct);

    private static async Task AssertRateLimitedAsync(HttpResponseMessage response)
    {
        await response.AssertProblemAsync(HttpStatusCode.TooManyRequests, ProblemTypes.RateLimited);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "a 429 says when to try again");
    }

    private static async Task<long> StoredTokensAsync(OidcHost oidc)
    {
        await using var scope = oidc.Host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>().CountAsync(Ct);
    }

    private static async Task CreateUserAsync(OidcHost oidc, string email)
    {
        await using var scope = oidc.Host.Services.CreateAsyncScope();
        var user = new User { UserName = email, Email = email, EmailConfirmed = true, DisplayName = email, CreatedAt = DateTimeOffset.UtcNow };
        var created = await scope.ServiceProvider.GetRequiredService<UserManager<User>>().CreateAsync(user, OidcHost.Password);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
    }
}
