using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Modular.Identity.Account;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;

namespace Modular.Identity.Tests;

/// <summary>
/// The passkey endpoints through the real pipeline, from an attacker's side: what a request without a session, without
/// the antiforgery token, with a made-up credential or naming someone else's passkey gets (refused, nothing saved).
/// The whole ceremony with a real authenticator is the browser test's (Modular.Admin.Tests, PasskeyTests).
/// </summary>
public sealed class PasskeyAccountTests(PostgresServer postgres)
{
    private const string TokenHeader = "RequestVerificationToken";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Creation_options_need_a_session_and_the_antiforgery_header()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Postgres, postgres);

        // No session: sent to sign in, no options (a page elsewhere cannot start a ceremony for a visitor).
        var anonymous = oidc.Browser();
        var token = await TokenFromAsync(anonymous, IdentityRoutes.Login);
        var refused = await PostWithTokenAsync(anonymous, IdentityRoutes.PasskeyCreationOptions, token);
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.StartsWith(IdentityRoutes.Login, refused.Headers.Location!.AbsolutePath);

        // Signed in, but the header is missing (a cross-site post cannot read the token): refused before any options.
        var alice = await OidcHost.SignedInBrowserAsync(oidc);
        var forged = await alice.PostAsync(IdentityRoutes.PasskeyCreationOptions, null, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal("application/problem+json", forged.Content.Headers.ContentType?.MediaType);

        var options = await PostWithTokenAsync(alice, IdentityRoutes.PasskeyCreationOptions, await TokenFromAsync(alice, IdentityRoutes.Passkeys));
        Assert.Equal(HttpStatusCode.OK, options.StatusCode);
        using var json = JsonDocument.Parse(await options.TextAsync());
        var publicKey = json.RootElement;
        Assert.Equal("localhost", publicKey.GetProperty("rp").GetProperty("id").GetString());
        Assert.Equal("alice@example.com", publicKey.GetProperty("user").GetProperty("name").GetString());
        Assert.Equal("required", publicKey.GetProperty("authenticatorSelection").GetProperty("userVerification").GetString());
        Assert.Equal("required", publicKey.GetProperty("authenticatorSelection").GetProperty("residentKey").GetString());
        Assert.False(string.IsNullOrEmpty(publicKey.GetProperty("challenge").GetString()));
    }

    [Fact]
    public async Task Request_options_are_for_anyone_with_the_antiforgery_header_and_name_no_account()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Postgres, postgres);
        var visitor = oidc.Browser();

        Assert.Equal(HttpStatusCode.BadRequest, (await visitor.PostAsync(IdentityRoutes.PasskeyRequestOptions, null, Ct)).StatusCode);

        var options = await PostWithTokenAsync(visitor, IdentityRoutes.PasskeyRequestOptions, await TokenFromAsync(visitor, IdentityRoutes.Login));
        Assert.Equal(HttpStatusCode.OK, options.StatusCode);
        using var json = JsonDocument.Parse(await options.TextAsync());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("challenge").GetString()));
        Assert.Equal(0, json.RootElement.TryGetProperty("allowCredentials", out var allowed) ? allowed.GetArrayLength() : 0);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_made_up_credential_is_refused_with_a_clear_page_and_nothing_is_saved(DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres);
        var alice = await OidcHost.SignedInBrowserAsync(oidc);

        // A ceremony under way, then an answer that is not an authenticator's.
        var token = await TokenFromAsync(alice, IdentityRoutes.Passkeys);
        Assert.Equal(HttpStatusCode.OK, (await PostWithTokenAsync(alice, IdentityRoutes.PasskeyCreationOptions, token)).StatusCode);
        foreach (var garbage in new[] { "not json at all", """{"id":"AAAA","type":"public-key","response":{}}""" })
        {
            var refused = await AccountFlows.PostAsync(alice, IdentityRoutes.Passkeys, IdentityRoutes.Passkeys, ("credentialJson", garbage), ("name", "Mine"));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("The passkey could not be added", await refused.TextAsync());
        }

        // No ceremony at all (Identity's cookie is gone once read): still a page that says so, not a server error.
        var late = await AccountFlows.PostAsync(alice, IdentityRoutes.Passkeys, IdentityRoutes.Passkeys, ("credentialJson", "{}"));
        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
        Assert.Contains("The passkey could not be added", await late.TextAsync());

        // A forged form (no antiforgery token) is refused before it is read.
        Assert.Equal(HttpStatusCode.BadRequest, (await AccountFlows.PostWithoutTokenAsync(alice, IdentityRoutes.Passkeys, ("credentialJson", "{}"))).StatusCode);

        Assert.Empty(await PasskeysOfAsync(oidc, "alice@example.com"));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task The_last_way_to_sign_in_cannot_be_removed(DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres);
        var alice = await OidcHost.SignedInBrowserAsync(oidc);
        // Alice gave up her password for a passkey (her session stays: the stamp is checked every 30 minutes).
        await WithUsersAsync(oidc, async users =>
        {
            var user = (await users.FindByEmailAsync("alice@example.com"))!;
            Assert.True((await users.RemovePasswordAsync(user)).Succeeded);
        });
        var laptop = await AddPasskeyAsync(oidc, "alice@example.com", "Laptop");

        var refused = await RemoveAsync(alice, laptop);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains(PasskeyEndpoints.LastWayToSignIn, await refused.TextAsync());
        Assert.Equal(["Laptop"], await PasskeysOfAsync(oidc, "alice@example.com"));

        // With a second passkey, the first may go.
        await AddPasskeyAsync(oidc, "alice@example.com", "Phone");
        var removed = await RemoveAsync(alice, laptop);
        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.Equal(IdentityRoutes.Passkeys + "?done=removed", removed.Headers.Location!.OriginalString);
        Assert.Equal(["Phone"], await PasskeysOfAsync(oidc, "alice@example.com"));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Another_users_passkey_can_be_neither_removed_nor_renamed(DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres);
        await WithUsersAsync(oidc, async users => Assert.True((await users.CreateAsync(
            new User { UserName = "bob@example.com", Email = "bob@example.com", EmailConfirmed = true, DisplayName = "Bob", CreatedAt = DateTimeOffset.UtcNow })).Succeeded));
        var bobs = await AddPasskeyAsync(oidc, "bob@example.com", "Bob's key");
        await AddPasskeyAsync(oidc, "alice@example.com", "Alice's key");
        var alice = await OidcHost.SignedInBrowserAsync(oidc);

        var removed = await RemoveAsync(alice, bobs);
        Assert.Equal(HttpStatusCode.NotFound, removed.StatusCode);
        var renamed = await AccountFlows.PostAsync(alice, IdentityRoutes.Passkeys, IdentityRoutes.RenamePasskey, ("credentialId", bobs), ("name", "Mine now"));
        Assert.Equal(HttpStatusCode.NotFound, renamed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await AccountFlows.PostAsync(alice, IdentityRoutes.Passkeys, IdentityRoutes.RemovePasskey, ("credentialId", "not base64url!"))).StatusCode);

        Assert.Equal(["Bob's key"], await PasskeysOfAsync(oidc, "bob@example.com"));
        Assert.Equal(["Alice's key"], await PasskeysOfAsync(oidc, "alice@example.com"));
    }

    [Fact]
    public async Task A_passkey_is_listed_renamed_and_removed_by_its_owner()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Postgres, postgres);
        var id = await AddPasskeyAsync(oidc, "alice@example.com", "Laptop");
        var alice = await OidcHost.SignedInBrowserAsync(oidc);

        var page = await (await alice.GetAsync(IdentityRoutes.Passkeys, Ct)).TextAsync();
        Assert.Contains("Laptop", page);
        Assert.Contains(id, page);

        var renamed = await AccountFlows.PostAsync(alice, IdentityRoutes.Passkeys, IdentityRoutes.RenamePasskey, ("credentialId", id), ("name", "  Work laptop  "));
        Assert.Equal(IdentityRoutes.Passkeys + "?done=renamed", renamed.Headers.Location!.OriginalString);
        Assert.Equal(["Work laptop"], await PasskeysOfAsync(oidc, "alice@example.com"));

        // She still has her password: her only passkey may go.
        Assert.Equal(HttpStatusCode.Redirect, (await RemoveAsync(alice, id)).StatusCode);
        Assert.Empty(await PasskeysOfAsync(oidc, "alice@example.com"));
    }

    [Fact]
    public async Task A_made_up_passkey_sign_in_fails_like_a_wrong_password_and_counts_against_the_address()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Postgres, postgres, new Dictionary<string, string?>
        {
            ["RateLimiting:FailedSignIns:AddressPermitLimit"] = "2",
            ["RateLimiting:FailedSignIns:Window"] = "01:00:00",
        });
        var attacker = oidc.Browser();

        // With a ceremony under way, and without one: the same refusal, no session, back to a safe address.
        var token = await TokenFromAsync(attacker, IdentityRoutes.Login);
        Assert.Equal(HttpStatusCode.OK, (await PostWithTokenAsync(attacker, IdentityRoutes.PasskeyRequestOptions, token)).StatusCode);
        foreach (var _ in new[] { 1, 2 })
        {
            var refused = await AccountFlows.PostAsync(attacker, IdentityRoutes.Login, IdentityRoutes.LoginWithPasskey,
                ("credentialJson", """{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{}}"""), ("returnUrl", "https://evil.example/"));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var html = await refused.TextAsync();
            Assert.Contains(WebUtility.HtmlEncode(PasskeyEndpoints.FailedSignIn), html);
            Assert.DoesNotContain("evil.example", html);
        }

        Assert.Equal(HttpStatusCode.Redirect, (await attacker.GetAsync(IdentityRoutes.Manage, Ct)).StatusCode);

        // Two failures used up the address's allowance: asking for options again is refused, as the password form is.
        var limited = await PostWithTokenAsync(attacker, IdentityRoutes.PasskeyRequestOptions, token);
        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests, ProblemTypes.RateLimited);
        await (await OidcHost.SignInAsync(attacker, IdentityRoutes.Login, "alice@example.com", OidcHost.Password))
            .AssertProblemAsync(HttpStatusCode.TooManyRequests, ProblemTypes.RateLimited);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task An_operator_sees_how_many_passkeys_a_user_has(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        Guid id;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
            var dora = new User { UserName = "dora@example.com", Email = "dora@example.com", EmailConfirmed = true, DisplayName = "Dora", CreatedAt = DateTimeOffset.UtcNow };
            Assert.True((await users.CreateAsync(dora)).Succeeded);
            id = dora.Id;
            Assert.True((await users.AddOrUpdatePasskeyAsync(dora, Passkey([1, 2, 3], "One"))).Succeeded);
            Assert.True((await users.AddOrUpdatePasskeyAsync(dora, Passkey([4, 5, 6], "Two"))).Succeeded);
        }

        var api = host.CreateClientAs("operator", IdentityPermissions.UsersRead);
        var user = await (await api.GetAsync(IdentityRoutes.User(id), Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(2, user.GetProperty("passkeys").GetInt32());
    }

    /// <summary>The antiforgery token of <paramref name="page"/>'s forms (the same in each), as passkeys.js reads it.</summary>
    private static async Task<string> TokenFromAsync(HttpClient browser, string page)
    {
        var html = await (await browser.GetAsync(page, Ct)).TextAsync();
        var token = Regex.Match(html, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]*)\"");
        Assert.True(token.Success, $"{page} should carry an antiforgery token");
        return WebUtility.HtmlDecode(token.Groups[1].Value);
    }

    private static Task<HttpResponseMessage> PostWithTokenAsync(HttpClient browser, string path, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Add(TokenHeader, token);
        return browser.SendAsync(request, Ct);
    }

    private static Task<HttpResponseMessage> RemoveAsync(HttpClient browser, string credentialId) =>
        AccountFlows.PostAsync(browser, IdentityRoutes.Passkeys, IdentityRoutes.RemovePasskey, ("credentialId", credentialId));

    /// <summary>Stores a passkey for <paramref name="email"/> as a finished registration would; returns its id as the page shows it.</summary>
    private static async Task<string> AddPasskeyAsync(OidcHost oidc, string email, string name)
    {
        var credentialId = Guid.NewGuid().ToByteArray();
        await WithUsersAsync(oidc, async users =>
            Assert.True((await users.AddOrUpdatePasskeyAsync((await users.FindByEmailAsync(email))!, Passkey(credentialId, name))).Succeeded));
        return Base64Url.EncodeToString(credentialId);
    }

    private static UserPasskeyInfo Passkey(byte[] credentialId, string name) =>
        new(credentialId, [9, 9, 9], DateTimeOffset.UtcNow, signCount: 0, ["internal"],
            isUserVerified: true, isBackupEligible: false, isBackedUp: false, attestationObject: [1], clientDataJson: [2])
        { Name = name };

    private static async Task<List<string>> PasskeysOfAsync(OidcHost oidc, string email)
    {
        var names = new List<string>();
        await WithUsersAsync(oidc, async users =>
            names.AddRange((await users.GetPasskeysAsync((await users.FindByEmailAsync(email))!)).Select(p => p.Name ?? "")));
        return names;
    }

    private static async Task WithUsersAsync(OidcHost oidc, Func<UserManager<User>, Task> action)
    {
        await using var scope = oidc.Host.Services.CreateAsyncScope();
        await action(scope.ServiceProvider.GetRequiredService<UserManager<User>>());
    }
}
