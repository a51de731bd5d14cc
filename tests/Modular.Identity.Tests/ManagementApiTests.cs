using System.Net;
using System.Net.Http.Json;
using System.Text;
using Duende.IdentityModel.Client;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using Modular.Metering.Contracts;
using Modular.Tenants.Contracts;
using Modular.Webhooks.Contracts;

namespace Modular.Identity.Tests;

/// <summary>
/// <c>/api/v1/identity/clients</c> and <c>/api/v1/identity/users</c> through the real pipeline: what operators
/// change is what the OpenID provider then does (a rotated secret, a disabled client, a locked user), and
/// every bad request is a problem naming its field, with nothing changed.
/// </summary>
public sealed class ManagementApiTests(PostgresServer postgres)
{
    // What tenant-admin grants too (webhooks, the tenant's members, roles and API keys): nobody grants what they do not hold.
    private static readonly string[] Operator =
    [
        IdentityPermissions.ClientsManage, IdentityPermissions.UsersRead, IdentityPermissions.UsersManage, TenantsPermissions.Manage, TenantsPermissions.Read,
        WebhooksPermissions.Read, WebhooksPermissions.Manage, IdentityPermissions.MembersRead, IdentityPermissions.MembersManage, IdentityPermissions.RolesManage,
        IdentityPermissions.ApiKeysManage, MeteringPermissions.Read, MeteringPermissions.BillingManage, TenantsPermissions.AuditRead, TenantsPermissions.SettingsManage,
        IdentityPermissions.SsoManage,
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_client_created_through_the_api_gets_tokens_until_rotated_or_disabled(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        var api = host.CreateClientAs("operator", Operator);

        var created = await api.PostAsJsonAsync(IdentityRoutes.Clients, new
        {
            clientId = "billing-sync",
            displayName = "Billing sync",
            type = "confidential",
            grantTypes = new[] { "client_credentials" },
            scopes = new[] { "api" },
            permissions = new[] { TenantsPermissions.Read },
        }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var first = (await created.Content.ReadFromJsonAsync<ClientWithSecret>(Ct))!;
        Assert.False(string.IsNullOrEmpty(first.ClientSecret));
        Assert.True(first.Client.Enabled);
        Assert.Equal(["client_credentials"], first.Client.Client.GrantTypes);

        // The secret is shown once: reading the client back never returns it.
        var read = await api.GetStringAsync(IdentityRoutes.Client("billing-sync"), Ct);
        Assert.DoesNotContain(first.ClientSecret!, read, StringComparison.Ordinal);
        Assert.Contains("billing-sync", (await api.GetStringAsync(IdentityRoutes.Clients, Ct)), StringComparison.Ordinal);

        Assert.Null(await OidcHost.TokenErrorAsync(host, "billing-sync", first.ClientSecret!));

        var rotated = (await (await api.PostAsync(IdentityRoutes.RotateClientSecret("billing-sync"), null, Ct)).Content.ReadFromJsonAsync<ClientWithSecret>(Ct))!;
        Assert.NotEqual(first.ClientSecret, rotated.ClientSecret);
        Assert.Equal("invalid_client", await OidcHost.TokenErrorAsync(host, "billing-sync", first.ClientSecret!));
        Assert.Null(await OidcHost.TokenErrorAsync(host, "billing-sync", rotated.ClientSecret!));

        var disabled = await (await api.PostAsync(IdentityRoutes.DisableClient("billing-sync"), null, Ct)).Content.ReadFromJsonAsync<ClientDto>(Ct);
        Assert.False(disabled!.Enabled);
        Assert.NotNull(await OidcHost.TokenErrorAsync(host, "billing-sync", rotated.ClientSecret!));
        // Disabled, it still reads back as what it was, so enabling restores it exactly.
        Assert.Equal(["client_credentials"], disabled.Client.GrantTypes);

        await api.PostAsync(IdentityRoutes.EnableClient("billing-sync"), null, Ct);
        Assert.Null(await OidcHost.TokenErrorAsync(host, "billing-sync", rotated.ClientSecret!));

        var updated = await api.PutAsJsonAsync(IdentityRoutes.Client("billing-sync"), new
        {
            displayName = "Billing sync v2",
            type = "confidential",
            grantTypes = new[] { "client_credentials" },
            scopes = new[] { "api" },
        }, Ct);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Null(await OidcHost.TokenErrorAsync(host, "billing-sync", rotated.ClientSecret!)); // an update keeps the secret

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync(IdentityRoutes.Client("billing-sync"), Ct)).StatusCode);
        await (await api.GetAsync(IdentityRoutes.Client("billing-sync"), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        Assert.Equal("invalid_client", await OidcHost.TokenErrorAsync(host, "billing-sync", rotated.ClientSecret!));
    }

    [Fact]
    public async Task Bad_client_registrations_are_refused_naming_the_field_and_nothing_is_stored()
    {
        await using var host = ModularHost.OnSqlite();
        var api = host.CreateClientAs("operator", Operator);
        var valid = new Dictionary<string, object?>
        {
            ["clientId"] = "web",
            ["type"] = "confidential",
            ["grantTypes"] = new[] { "authorization_code" },
            ["redirectUris"] = new[] { "https://app.example.com/callback" },
            ["scopes"] = new[] { "openid" },
        };

        async Task AssertRefusedAsync(string field, string key, object? value)
        {
            var body = new Dictionary<string, object?>(valid) { [key] = value };
            var response = await api.PostAsJsonAsync(IdentityRoutes.Clients, body, Ct);
            (await response.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField(field);
        }

        await AssertRefusedAsync("clientId", "clientId", "");
        await AssertRefusedAsync("clientId", "clientId", "no spaces");
        await AssertRefusedAsync("type", "type", "secretive");
        await AssertRefusedAsync("grantTypes", "grantTypes", Array.Empty<string>());
        await AssertRefusedAsync("grantTypes[0]", "grantTypes", new[] { "password" });
        await AssertRefusedAsync("redirectUris", "redirectUris", Array.Empty<string>());
        await AssertRefusedAsync("redirectUris[0]", "redirectUris", new[] { "http://evil.example.com/callback" }); // http off loopback
        await AssertRefusedAsync("redirectUris[0]", "redirectUris", new[] { "https://app.example.com/cb#fragment" });
        await AssertRefusedAsync("redirectUris[0]", "redirectUris", new[] { "/relative" });
        await AssertRefusedAsync("scopes[0]", "scopes", new[] { "admin:everything" });
        await AssertRefusedAsync("scopes", "grantTypes", new[] { "client_credentials" }); // openid asks about a user; none signs in
        await AssertRefusedAsync("scopes", "scopes", new[] { "openid", "offline_access" }); // refresh tokens without the refresh_token grant

        var publicWithSecret = new Dictionary<string, object?>(valid) { ["type"] = "public", ["grantTypes"] = new[] { "client_credentials" } };
        (await (await api.PostAsJsonAsync(IdentityRoutes.Clients, publicWithSecret, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation))
            .AssertNamesField("grantTypes");

        await (await api.PostAsync(IdentityRoutes.Clients, new StringContent("{\"clientId\": ", Encoding.UTF8, "application/json"), Ct))
            .AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.MalformedRequest);
        Assert.DoesNotContain("\"web\"", await api.GetStringAsync(IdentityRoutes.Clients, Ct), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync(IdentityRoutes.Clients, valid, Ct)).StatusCode);
        await (await api.PostAsJsonAsync(IdentityRoutes.Clients, valid, Ct)).AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.Conflict);
        var typeChange = new Dictionary<string, object?>(valid) { ["type"] = "public" };
        await (await api.PutAsJsonAsync(IdentityRoutes.Client("web"), typeChange, Ct)).AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.Conflict);

        foreach (var (method, path) in new[] { ("GET", "/nobody"), ("PUT", "/nobody"), ("DELETE", "/nobody"), ("POST", "/nobody/rotate-secret"), ("POST", "/nobody/disable") })
        {
            var request = new HttpRequestMessage(new HttpMethod(method), IdentityRoutes.Clients + path)
            {
                Content = method == "PUT" ? JsonContent.Create(valid) : null,
            };
            await (await api.SendAsync(request, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        }
    }

    [Fact]
    public async Task The_management_apis_deny_by_default()
    {
        await using var host = ModularHost.OnSqlite();
        var anonymous = host.CreateClient();
        var readOnly = host.CreateClientAs("auditor", IdentityPermissions.UsersRead);
        var tenantAdmin = host.CreateMemberClient("tenant-admin", "acme");
        var userId = await CreateUserAsync(host, "carol@example.com");

        await (await anonymous.GetAsync(IdentityRoutes.Clients, Ct)).AssertProblemAsync(HttpStatusCode.Unauthorized, ProblemTypes.Unauthorized);
        await (await anonymous.GetAsync(IdentityRoutes.Users, Ct)).AssertProblemAsync(HttpStatusCode.Unauthorized, ProblemTypes.Unauthorized);
        await (await readOnly.GetAsync(IdentityRoutes.Clients, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await readOnly.PostAsync(IdentityRoutes.LockUser(userId), null, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await tenantAdmin.GetAsync(IdentityRoutes.Users, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await tenantAdmin.PutAsJsonAsync(IdentityRoutes.Membership(userId, Guid.NewGuid()), new { roles = new[] { "tenant-admin" } }, Ct))
            .AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);

        Assert.Equal(HttpStatusCode.OK, (await readOnly.GetAsync(IdentityRoutes.User(userId), Ct)).StatusCode);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Operators_find_lock_unlock_and_place_users_in_tenants(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        var api = host.CreateClientAs("operator", Operator);
        var dave = await CreateUserAsync(host, "dave@example.com");
        await CreateUserAsync(host, "erin@example.com");
        var tenant = (await (await api.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug = "initech", name = "Initech" }, Ct)).Content.ReadFromJsonAsync<TenantDto>(Ct))!;

        var found = (await api.GetFromJsonAsync<UserPage>($"{IdentityRoutes.Users}?search=DAVE", Ct))!;
        Assert.Equal([dave], found.Items.Select(u => u.Id));

        var locked = (await (await api.PostAsJsonAsync(IdentityRoutes.LockUser(dave), new { }, Ct)).Content.ReadFromJsonAsync<UserDto>(Ct))!;
        Assert.NotNull(locked.LockedOutUntil);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
            Assert.True(await users.IsLockedOutAsync((await users.FindByIdAsync(dave.ToString()))!));
        }

        var unlocked = (await (await api.PostAsync(IdentityRoutes.UnlockUser(dave), null, Ct)).Content.ReadFromJsonAsync<UserDto>(Ct))!;
        Assert.Null(unlocked.LockedOutUntil);

        var member = await api.PutAsJsonAsync(IdentityRoutes.Membership(dave, tenant.Id), new { roles = new[] { "tenant-admin" } }, Ct);
        var withMembership = (await member.Content.ReadFromJsonAsync<UserDto>(Ct))!;
        Assert.Equal(tenant.Id, Assert.Single(withMembership.Memberships).TenantId);
        Assert.Equal(["tenant-admin"], withMembership.Memberships[0].Roles);
        // The change is audited in the tenant's chain of the identity module, under the operator's name.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
            var audit = await scope.ServiceProvider.GetRequiredService<IdentityDbContext>().AuditEntries
                .Where(e => e.TenantId == tenant.Id).ToListAsync(Ct);
            Assert.Contains(audit, e => e.Action == "membership.set" && e.Actor == "operator");
        }

        var removed = (await (await api.DeleteAsync(IdentityRoutes.Membership(dave, tenant.Id), Ct)).Content.ReadFromJsonAsync<UserDto>(Ct))!;
        Assert.Empty(removed.Memberships);
        Assert.Empty((await api.GetFromJsonAsync<SessionDto[]>(IdentityRoutes.UserSessions(dave), Ct))!);
    }

    [Fact]
    public async Task Bad_user_requests_are_problems_naming_the_field()
    {
        await using var host = ModularHost.OnSqlite();
        var api = host.CreateClientAs("operator", Operator);
        var frank = await CreateUserAsync(host, "frank@example.com");
        var tenant = (await (await api.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug = "umbrella", name = "Umbrella" }, Ct)).Content.ReadFromJsonAsync<TenantDto>(Ct))!;

        (await (await api.GetAsync($"{IdentityRoutes.Users}?pageSize=1000", Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("pageSize");
        (await (await api.PostAsJsonAsync(IdentityRoutes.LockUser(frank), new { until = DateTimeOffset.UtcNow.AddDays(-1) }, Ct))
            .AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("until");
        (await (await api.PutAsJsonAsync(IdentityRoutes.Membership(frank, tenant.Id), new { roles = new[] { "platform-admin" } }, Ct))
            .AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("roles[0]");
        (await (await api.PutAsJsonAsync(IdentityRoutes.Membership(frank, tenant.Id), new { roles = Array.Empty<string>() }, Ct))
            .AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("roles");
        await (await api.PutAsJsonAsync(IdentityRoutes.Membership(frank, Guid.NewGuid()), new { roles = new[] { "member" } }, Ct))
            .AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await api.DeleteAsync(IdentityRoutes.Membership(frank, tenant.Id), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await api.DeleteAsync(IdentityRoutes.UserSession(frank, Guid.NewGuid()), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await api.GetAsync(IdentityRoutes.User(Guid.NewGuid()), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await api.PostAsync(IdentityRoutes.LockUser(Guid.NewGuid()), null, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await api.GetAsync("/api/v1/identity/users/not-a-guid", Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);

        var user = (await api.GetFromJsonAsync<UserDto>(IdentityRoutes.User(frank), Ct))!;
        Assert.Null(user.LockedOutUntil);
        Assert.Empty(user.Memberships);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_revoked_session_or_a_locked_account_ends_the_clients_refresh_tokens(DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres);
        var alice = await oidc.SendAsync(new ListUsers(Search: "alice"));
        var aliceId = Assert.Single(alice.Items).Id;

        var first = await SignInAtSpaAsync(oidc);
        var second = await SignInAtSpaAsync(oidc);
        var sessions = await oidc.SendAsync(new ListUserSessions(aliceId));
        Assert.Equal(2, sessions.Count);
        Assert.All(sessions, s => Assert.Equal("spa", s.ClientId));
        Assert.All(sessions, s => Assert.Contains(s.Tokens, t => t.Type == "refresh_token" && t.Status == "valid"));

        // Revoke one session: its refresh token stops working, the other session's does not.
        Assert.Equal(1, await oidc.SendAsync(new RevokeUserSessions(aliceId, sessions[0].Id)));
        var results = new[] { await RefreshErrorAsync(oidc, first), await RefreshErrorAsync(oidc, second) };
        Assert.Single(results, r => r == "invalid_grant");
        Assert.Single(results, r => r is null);

        // Locking the account revokes everything left and refuses new sign-ins.
        var third = await SignInAtSpaAsync(oidc);
        await oidc.SendAsync(new LockUser(aliceId));
        Assert.Equal("invalid_grant", await RefreshErrorAsync(oidc, third));
        var browser = oidc.Browser();
        var refused = await OidcHost.SignInAsync(browser, IdentityRoutes.Login, "alice@example.com", OidcHost.Password);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    private static async Task<string> SignInAtSpaAsync(OidcHost oidc)
    {
        var disco = await oidc.DiscoverAsync();
        var (verifier, challenge) = OidcHost.Pkce();
        var redirect = await oidc.AuthorizeAsync(oidc.Browser(), OidcHost.AuthorizeUrl(disco, challenge));
        var tokens = await oidc.Backchannel().RequestAuthorizationCodeTokenAsync(new AuthorizationCodeTokenRequest
        {
            Address = disco.TokenEndpoint,
            ClientId = "spa",
            Code = OidcHost.Query(redirect, "code"),
            RedirectUri = OidcHost.RedirectUri,
            CodeVerifier = verifier,
        }, Ct);
        Assert.False(tokens.IsError, tokens.Error);
        return tokens.RefreshToken!;
    }

    private static async Task<string?> RefreshErrorAsync(OidcHost oidc, string refreshToken)
    {
        var response = await oidc.Backchannel().RequestRefreshTokenAsync(
            new RefreshTokenRequest { Address = "/connect/token", ClientId = "spa", RefreshToken = refreshToken }, Ct);
        return response.IsError ? response.Error : null;
    }

    internal static async Task<Guid> CreateUserAsync(ModularHost host, string email)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var user = new User { UserName = email, Email = email, EmailConfirmed = true, DisplayName = email.Split('@')[0], CreatedAt = DateTimeOffset.UtcNow };
        var result = await users.CreateAsync(user, OidcHost.Password);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Description)));
        return user.Id;
    }
}
