using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Duende.IdentityModel.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Modular.Identity.Contracts;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using Modular.Webhooks.Contracts;

namespace Modular.Identity.Tests;

/// <summary>
/// A tenant's API keys (issue 16 item 4): client-credentials clients bound to the tenant, holding only what their
/// maker holds there, with the secret shown once, rotated and revoked at once, and out of every other tenant's reach.
/// </summary>
public sealed class TenantApiKeyTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_keys_secret_gets_a_token_for_its_tenant_only_until_it_is_rotated_or_revoked(DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres);
        var admin = await SignedInAdminAsync(oidc);

        var created = await admin.PostAsJsonAsync(IdentityRoutes.TenantApiKeys, new { name = "CI pipeline", permissions = new[] { WebhooksPermissions.Read } }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = (await created.Content.ReadFromJsonAsync<TenantApiKeyWithSecret>(Ct))!;
        Assert.Equal(IdentityRoutes.TenantApiKey(key.Key.ClientId), created.Headers.Location?.OriginalString);
        Assert.Null(key.Key.LastUsedAt);

        // The secret works at the token endpoint; the token holds exactly the key's permissions, for its tenant.
        var token = await KeyTokenAsync(oidc, key.Key.ClientId, key.ClientSecret);
        var claims = new JsonWebToken(token).Claims.ToList();
        Assert.Equal([WebhooksPermissions.Read], claims.Where(c => c.Type == ModularClaims.Permission).Select(c => c.Value));
        Assert.Equal([oidc.Acme.Id.ToString()], claims.Where(c => c.Type == ModularClaims.Tenant).Select(c => c.Value));
        Assert.Equal(HttpStatusCode.OK, await WebhookEndpointsAsync(oidc, token));
        Assert.Equal(HttpStatusCode.Forbidden, await WebhookEndpointsAsync(oidc, token, tenant: "globex"));

        // Listed with when it was last used, never with a secret.
        var listed = await admin.GetStringAsync(IdentityRoutes.TenantApiKeys, Ct);
        Assert.DoesNotContain(key.ClientSecret, listed, StringComparison.Ordinal);
        var page = (await admin.GetFromJsonAsync<TenantApiKeyPage>(IdentityRoutes.TenantApiKeys, Ct))!;
        var entry = Assert.Single(page.Items);
        Assert.Equal((key.Key.ClientId, "CI pipeline", true), (entry.ClientId, entry.Name, entry.Enabled));
        Assert.Contains("alice", entry.CreatedBy, StringComparison.Ordinal);
        Assert.NotNull(entry.LastUsedAt);

        // Rotation: the old secret is dead at once, the new one works.
        var rotated = (await (await admin.PostAsync(IdentityRoutes.RotateTenantApiKey(key.Key.ClientId), null, Ct)).Content.ReadFromJsonAsync<TenantApiKeyWithSecret>(Ct))!;
        Assert.NotEqual(key.ClientSecret, rotated.ClientSecret);
        Assert.Equal("invalid_client", await OidcHost.TokenErrorAsync(oidc.Host, key.Key.ClientId, key.ClientSecret));
        var afterRotation = await KeyTokenAsync(oidc, key.Key.ClientId, rotated.ClientSecret);

        // Revocation: the secret is refused and a token issued before no longer opens the tenant.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(IdentityRoutes.TenantApiKey(key.Key.ClientId), Ct)).StatusCode);
        Assert.Equal("invalid_client", await OidcHost.TokenErrorAsync(oidc.Host, key.Key.ClientId, rotated.ClientSecret));
        Assert.Equal(HttpStatusCode.Forbidden, await WebhookEndpointsAsync(oidc, afterRotation));
        Assert.Empty((await admin.GetFromJsonAsync<TenantApiKeyPage>(IdentityRoutes.TenantApiKeys, Ct))!.Items);
        await (await admin.DeleteAsync(IdentityRoutes.TenantApiKey(key.Key.ClientId), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);

        Assert.Equal(["api-key.created", "api-key.rotated", "api-key.revoked"], await AuditActionsAsync(oidc, $"api-key:{key.Key.ClientId}"));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_key_holding_a_tenant_role_gets_what_the_role_grants_when_its_token_is_issued(DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres);
        var admin = await SignedInAdminAsync(oidc);
        await oidc.SendInTenantAsync(oidc.Acme, new CreateTenantRole("hook-reader", null, [WebhooksPermissions.Read]));

        var created = await admin.PostAsJsonAsync(IdentityRoutes.TenantApiKeys, new { name = "reader", roles = new[] { "hook-reader" } }, Ct);
        var key = (await created.Content.ReadFromJsonAsync<TenantApiKeyWithSecret>(Ct))!;
        Assert.Equal(["hook-reader"], key.Key.Roles);
        Assert.Equal([WebhooksPermissions.Read], Permissions(await KeyTokenAsync(oidc, key.Key.ClientId, key.ClientSecret)));

        // The role changes: the key's next token holds what it grants now.
        await oidc.SendInTenantAsync(oidc.Acme, new UpdateTenantRole("hook-reader", null, [WebhooksPermissions.Read, WebhooksPermissions.Manage]));
        Assert.Equal([WebhooksPermissions.Manage, WebhooksPermissions.Read], Permissions(await KeyTokenAsync(oidc, key.Key.ClientId, key.ClientSecret)).Order(StringComparer.Ordinal));

        // Changed to hold a permission instead of the role.
        var changed = await admin.PutAsJsonAsync(IdentityRoutes.TenantApiKey(key.Key.ClientId), new { name = "renamed", permissions = new[] { WebhooksPermissions.Read } }, Ct);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal([WebhooksPermissions.Read], Permissions(await KeyTokenAsync(oidc, key.Key.ClientId, key.ClientSecret)));
        Assert.Equal("renamed", Assert.Single((await admin.GetFromJsonAsync<TenantApiKeyPage>(IdentityRoutes.TenantApiKeys, Ct))!.Items).Name);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Another_tenants_keys_and_operators_clients_are_not_found_and_a_key_holds_only_what_its_maker_holds(DatabaseProvider provider)
    {
        await using var world = await TenantWorld.StartAsync(provider, postgres);
        var acmeAdmin = world.As(world.Adam, world.Acme, IdentityRoles.TenantAdmin);
        var key = await CreateAsync(acmeAdmin, new { name = "acme-ci", permissions = new[] { WebhooksPermissions.Read } });

        // Globex's admin: acme's key is not there to list, change, rotate or revoke.
        var globexAdmin = world.As(world.Gus, world.Globex, IdentityRoles.TenantAdmin);
        Assert.Empty((await globexAdmin.GetFromJsonAsync<TenantApiKeyPage>(IdentityRoutes.TenantApiKeys, Ct))!.Items);
        await AssertNotFoundAsync(globexAdmin, key.ClientId);

        // An operator's client, even one bound to acme, and a user-facing app are not acme's keys.
        var operators = world.Host.CreateClientAs("operator", IdentityPermissions.ClientsManage, WebhooksPermissions.Read);
        Assert.Equal(HttpStatusCode.Created, (await operators.PostAsJsonAsync(IdentityRoutes.Clients, new
        {
            clientId = "ops-service",
            type = "confidential",
            grantTypes = new[] { "client_credentials" },
            scopes = new[] { "api" },
            tenant = world.Acme.ToString(),
            permissions = new[] { WebhooksPermissions.Read },
        }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await operators.PostAsJsonAsync(IdentityRoutes.Clients, new
        {
            clientId = "web-app",
            type = "public",
            grantTypes = new[] { "authorization_code" },
            redirectUris = new[] { "https://app.example.com/callback" },
        }, Ct)).StatusCode);
        await AssertNotFoundAsync(acmeAdmin, "ops-service");
        await AssertNotFoundAsync(acmeAdmin, "web-app");
        Assert.Equal([key.ClientId], (await acmeAdmin.GetFromJsonAsync<TenantApiKeyPage>(IdentityRoutes.TenantApiKeys, Ct))!.Items.Select(k => k.ClientId));

        // Allowed to manage keys, holding webhooks.read only: it cannot hand out more, directly or through a role.
        var clerk = world.AsHolding(world.Mia, world.Acme, IdentityPermissions.ApiKeysManage, WebhooksPermissions.Read);
        await TenantMembersTests.AssertNotHeldAsync(await clerk.PostAsJsonAsync(IdentityRoutes.TenantApiKeys, new { name = "x", permissions = new[] { WebhooksPermissions.Manage } }, Ct),
            WebhooksPermissions.Manage);
        await TenantMembersTests.AssertNotHeldAsync(await clerk.PostAsJsonAsync(IdentityRoutes.TenantApiKeys, new { name = "x", roles = new[] { IdentityRoles.TenantAdmin } }, Ct),
            IdentityPermissions.MembersManage);
        var wider = await CreateAsync(acmeAdmin, new { name = "wider", permissions = new[] { WebhooksPermissions.Manage } });
        await TenantMembersTests.AssertNotHeldAsync(await clerk.PostAsync(IdentityRoutes.RotateTenantApiKey(wider.ClientId), null, Ct), WebhooksPermissions.Manage);
        await TenantMembersTests.AssertNotHeldAsync(await clerk.PutAsJsonAsync(IdentityRoutes.TenantApiKey(wider.ClientId), new { name = "mine", permissions = new[] { WebhooksPermissions.Read } }, Ct),
            WebhooksPermissions.Manage);

        // platform.* never, not even from a caller that holds it.
        var platformAdminInAcme = world.AsHolding(world.Olivia, world.Acme, IdentityPermissions.ApiKeysManage, PlatformPermissions.Admin);
        await TenantMembersTests.AssertNotHeldAsync(await platformAdminInAcme.PostAsJsonAsync(IdentityRoutes.TenantApiKeys, new { name = "x", permissions = new[] { PlatformPermissions.Admin } }, Ct),
            PlatformPermissions.Admin);

        // A member does not manage keys at all.
        var member = world.As(world.Nadia, world.Acme, IdentityRoles.Member);
        await (await member.PostAsJsonAsync(IdentityRoutes.TenantApiKeys, new { name = "x", permissions = Array.Empty<string>() }, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await member.GetAsync(IdentityRoutes.TenantApiKeys, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await member.DeleteAsync(IdentityRoutes.TenantApiKey(key.ClientId), Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);

        var keys = (await acmeAdmin.GetFromJsonAsync<TenantApiKeyPage>(IdentityRoutes.TenantApiKeys, Ct))!.Items;
        Assert.Equal([("acme-ci", WebhooksPermissions.Read), ("wider", WebhooksPermissions.Manage)], keys.Select(k => (k.Name, Assert.Single(k.Permissions))));
    }

    [Fact]
    public async Task A_key_definition_that_is_missing_garbage_or_oversize_is_refused_naming_the_field()
    {
        await using var world = await TenantWorld.StartAsync(DatabaseProvider.Postgres, postgres);
        var owner = world.As(world.Olivia, world.Acme, IdentityRoles.Owner);

        async Task RefusedAsync(object body, string field) =>
            (await (await owner.PostAsJsonAsync(IdentityRoutes.TenantApiKeys, body, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField(field);

        await RefusedAsync(new { permissions = new[] { WebhooksPermissions.Read } }, "name");
        await RefusedAsync(new { name = "", permissions = new[] { WebhooksPermissions.Read } }, "name");
        await RefusedAsync(new { name = "a\0b" }, "name");
        await RefusedAsync(new { name = new string('n', 100_000) }, "name");
        await RefusedAsync(new { name = "ci", permissions = new[] { "" } }, "permissions[0]");
        await RefusedAsync(new { name = "ci", permissions = new[] { WebhooksPermissions.Read, new string('p', 100_000) } }, "permissions[1]");
        await RefusedAsync(new { name = "ci", permissions = Enumerable.Repeat(WebhooksPermissions.Read, 5_000) }, "permissions");
        await RefusedAsync(new { name = "ci", roles = new[] { "no-such-role" } }, "roles[0]");
        await RefusedAsync(new { name = "ci", roles = new[] { IdentityRoles.Member, IdentityRoles.PlatformAdmin } }, "roles[1]");
        await RefusedAsync(new { name = "ci", roles = Enumerable.Repeat(IdentityRoles.Member, 5_000) }, "roles");
        await (await owner.PostAsync(IdentityRoutes.TenantApiKeys, new StringContent("{\"name\": \"ci\"", Encoding.UTF8, "application/json"), Ct))
            .AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.MalformedRequest);
        await (await owner.PostAsync(IdentityRoutes.TenantApiKeys, new StringContent("{\"name\": \"ci\", \"permissions\": \"webhooks.read\"}", Encoding.UTF8, "application/json"), Ct))
            .AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.MalformedRequest);
        (await (await owner.GetAsync($"{IdentityRoutes.TenantApiKeys}?pageSize=1000", Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("pageSize");

        var key = await CreateAsync(owner, new { name = "ci" });
        (await (await owner.PutAsJsonAsync(IdentityRoutes.TenantApiKey(key.ClientId), new { permissions = Array.Empty<string>() }, Ct))
            .AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("name");

        // Without a tenant in the token there is no "own tenant" to make a key for.
        var platformOnly = world.Host.CreateClientAs("operator", IdentityPermissions.ApiKeysManage);
        await (await platformOnly.PostAsJsonAsync(IdentityRoutes.TenantApiKeys, new { name = "ci" }, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);

        Assert.Equal([key.ClientId], (await owner.GetFromJsonAsync<TenantApiKeyPage>(IdentityRoutes.TenantApiKeys, Ct))!.Items.Select(k => k.ClientId));
    }

    /// <summary>Alice, tenant admin of acme, signed in for real (code + PKCE): her bearer token calls the tenant API.</summary>
    private static async Task<HttpClient> SignedInAdminAsync(OidcHost oidc)
    {
        var alice = Assert.Single((await oidc.SendAsync(new ListUsers(Search: "alice"))).Items).Id;
        await oidc.SendAsync(new SetMembership(alice, oidc.Acme.Id, [IdentityRoles.TenantAdmin]));
        var tokens = await MembershipRevocationTests.SignInAsync(oidc, "acme");
        var api = oidc.Backchannel();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        return api;
    }

    private static async Task<string> KeyTokenAsync(OidcHost oidc, string clientId, string secret)
    {
        var response = await oidc.Backchannel().RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = "/connect/token",
            ClientId = clientId,
            ClientSecret = secret,
            Scope = "api",
        }, Ct);
        Assert.False(response.IsError, response.Error);
        return response.AccessToken!;
    }

    private static string[] Permissions(string accessToken) =>
        [.. new JsonWebToken(accessToken).Claims.Where(c => c.Type == ModularClaims.Permission).Select(c => c.Value)];

    private static async Task<HttpStatusCode> WebhookEndpointsAsync(OidcHost oidc, string accessToken, string? tenant = null)
    {
        using var api = oidc.Backchannel();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        if (tenant is not null)
        {
            api.DefaultRequestHeaders.Add(TenantResolution.Header, tenant);
        }

        return (await api.GetAsync(WebhooksRoutes.Endpoints, Ct)).StatusCode;
    }

    private static async Task<List<string>> AuditActionsAsync(OidcHost oidc, string target)
    {
        await using var scope = oidc.Host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
        return await scope.ServiceProvider.GetRequiredService<Persistence.IdentityDbContext>().AuditEntries.AsNoTracking()
            .Where(e => e.TenantId == oidc.Acme.Id && e.Target == target).OrderBy(e => e.Sequence).Select(e => e.Action).ToListAsync(Ct);
    }

    private static async Task<TenantApiKeyDto> CreateAsync(HttpClient caller, object body)
    {
        var response = await caller.PostAsJsonAsync(IdentityRoutes.TenantApiKeys, body, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TenantApiKeyWithSecret>(Ct))!.Key;
    }

    private static async Task AssertNotFoundAsync(HttpClient caller, string clientId)
    {
        await (await caller.PutAsJsonAsync(IdentityRoutes.TenantApiKey(clientId), new { name = "taken", permissions = Array.Empty<string>() }, Ct))
            .AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await caller.PostAsync(IdentityRoutes.RotateTenantApiKey(clientId), null, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await caller.DeleteAsync(IdentityRoutes.TenantApiKey(clientId), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
    }
}
