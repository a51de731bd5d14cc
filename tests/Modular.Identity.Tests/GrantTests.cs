using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Modular.Identity.Contracts;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Kernel.Security;
using Modular.Metering.Contracts;
using Modular.Tenants.Contracts;
using Modular.Webhooks.Contracts;

namespace Modular.Identity.Tests;

/// <summary>
/// Nobody grants what they do not hold (issue 14, finding 1), from the attacker's side: a caller allowed to manage
/// clients or memberships tries to hand out permissions, or access to a tenant, that it does not hold itself. Each
/// attempt is 403 naming what is not held, and nothing is stored.
/// </summary>
public sealed class GrantTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_client_manager_cannot_create_overwrite_or_take_over_a_client_holding_more_than_it_does(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        var setup = host.CreateClientAs("setup", PlatformPermissions.Admin, TenantsPermissions.Manage, TenantsPermissions.Read, IdentityPermissions.ClientsManage);
        await CreateTenantsAsync(setup, "acme", "globex");
        var root = await CreateClientAsync(setup, "root", permissions: [PlatformPermissions.Admin]);
        await CreateClientAsync(setup, "reporting", permissions: [TenantsPermissions.Read]);

        // Holds identity.clients.manage and nothing else, platform-wide.
        var attacker = host.CreateClientAs("attacker", IdentityPermissions.ClientsManage);
        await AssertRefusedAsync(await attacker.PostAsJsonAsync(IdentityRoutes.Clients, Client("escalate", [PlatformPermissions.Admin]), Ct), PlatformPermissions.Admin);
        await AssertRefusedAsync(await attacker.PostAsJsonAsync(IdentityRoutes.Clients, Client("escalate", [TenantsPermissions.Manage, TenantsPermissions.Read], "globex"), Ct),
            TenantsPermissions.Manage, TenantsPermissions.Read);
        await AssertRefusedAsync(await attacker.PutAsJsonAsync(IdentityRoutes.Client("reporting"), Client("reporting", [PlatformPermissions.Admin]), Ct), PlatformPermissions.Admin);
        // Taking over what it could not have created: rewriting a stronger client, or rotating its secret to learn it.
        await AssertRefusedAsync(await attacker.PutAsJsonAsync(IdentityRoutes.Client("reporting"), Client("reporting", []), Ct), TenantsPermissions.Read);
        await AssertRefusedAsync(await attacker.PostAsync(IdentityRoutes.RotateClientSecret("root"), null, Ct), PlatformPermissions.Admin);

        Assert.DoesNotContain("escalate", await setup.GetStringAsync(IdentityRoutes.Clients, Ct), StringComparison.Ordinal);
        Assert.Equal([TenantsPermissions.Read], (await setup.GetFromJsonAsync<ClientDto>(IdentityRoutes.Client("reporting"), Ct))!.Client.Permissions);
        Assert.Null(await OidcHost.TokenErrorAsync(host, "root", root.ClientSecret!)); // the secret was not rotated

        // What it holds, it may grant.
        var own = await attacker.PostAsJsonAsync(IdentityRoutes.Clients, Client("helper", [IdentityPermissions.ClientsManage]), Ct);
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_tenant_bound_client_manager_binds_clients_only_to_its_own_tenant(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        var setup = host.CreateClientAs("setup", PlatformPermissions.Admin, TenantsPermissions.Manage, TenantsPermissions.Read, IdentityPermissions.ClientsManage);
        await CreateTenantsAsync(setup, "acme", "globex");
        var acmeOperator = host.CreateClient();
        acmeOperator.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe("acme-operator", [IdentityPermissions.ClientsManage, TenantsPermissions.Read], "acme"));

        await AssertRefusedAsync(await acmeOperator.PostAsJsonAsync(IdentityRoutes.Clients, Client("spy", [TenantsPermissions.Read], "globex"), Ct), TenantsPermissions.Read);
        await AssertRefusedAsync(await acmeOperator.PostAsJsonAsync(IdentityRoutes.Clients, Client("spy", [], "globex"), Ct), "globex");
        // No tenant: a platform-wide client, which is more than one tenant's operator holds.
        await AssertRefusedAsync(await acmeOperator.PostAsJsonAsync(IdentityRoutes.Clients, Client("spy", [TenantsPermissions.Read]), Ct), TenantsPermissions.Read);
        Assert.DoesNotContain("spy", await setup.GetStringAsync(IdentityRoutes.Clients, Ct), StringComparison.Ordinal);

        var own = await acmeOperator.PostAsJsonAsync(IdentityRoutes.Clients, Client("acme-sync", [TenantsPermissions.Read], "acme"), Ct);
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        await AssertRefusedAsync(await acmeOperator.PutAsJsonAsync(IdentityRoutes.Client("acme-sync"), Client("acme-sync", [TenantsPermissions.Read], "globex"), Ct), TenantsPermissions.Read);
        Assert.Equal("acme", (await setup.GetFromJsonAsync<ClientDto>(IdentityRoutes.Client("acme-sync"), Ct))!.Client.Tenant);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_user_manager_grants_only_roles_whose_permissions_it_holds_and_only_where_it_holds_them(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        var setup = host.CreateClientAs("setup", PlatformPermissions.Admin, TenantsPermissions.Manage, IdentityPermissions.UsersRead);
        var (acme, globex) = await CreateTenantsAsync(setup, "acme", "globex");
        var dave = await ManagementApiTests.CreateUserAsync(host, "dave@example.com");

        // identity.users.manage alone: tenant-admin grants webhooks.read and webhooks.manage, which it lacks.
        var attacker = host.CreateClientAs("attacker", IdentityPermissions.UsersManage);
        await AssertRefusedAsync(await attacker.PutAsJsonAsync(IdentityRoutes.Membership(dave, acme), new { roles = new[] { "tenant-admin" } }, Ct),
            WebhooksPermissions.Read, WebhooksPermissions.Manage);
        Assert.Empty((await setup.GetFromJsonAsync<UserDto>(IdentityRoutes.User(dave), Ct))!.Memberships);
        Assert.Equal(HttpStatusCode.OK, (await attacker.PutAsJsonAsync(IdentityRoutes.Membership(dave, acme), new { roles = new[] { "member" } }, Ct)).StatusCode);

        // One tenant's manager: may make someone tenant-admin there, not a member anywhere else.
        var acmeAdmin = host.CreateClient();
        acmeAdmin.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe("acme-admin",
            [IdentityPermissions.UsersManage, WebhooksPermissions.Read, WebhooksPermissions.Manage,
                IdentityPermissions.MembersRead, IdentityPermissions.MembersManage, IdentityPermissions.RolesManage, IdentityPermissions.ApiKeysManage,
                IdentityPermissions.SsoManage, MeteringPermissions.Read, MeteringPermissions.BillingManage, TenantsPermissions.AuditRead, TenantsPermissions.SettingsManage], acme.ToString()));
        await AssertRefusedAsync(await acmeAdmin.PutAsJsonAsync(IdentityRoutes.Membership(dave, globex), new { roles = new[] { "member" } }, Ct), globex.ToString());
        Assert.Equal(HttpStatusCode.OK, (await acmeAdmin.PutAsJsonAsync(IdentityRoutes.Membership(dave, acme), new { roles = new[] { "tenant-admin" } }, Ct)).StatusCode);

        var memberships = (await setup.GetFromJsonAsync<UserDto>(IdentityRoutes.User(dave), Ct))!.Memberships;
        Assert.Equal(acme, Assert.Single(memberships).TenantId);
        Assert.Equal(["tenant-admin"], memberships[0].Roles);
    }

    /// <summary>403 with the grant-not-held problem type; the detail names each of <paramref name="notHeld"/>.</summary>
    private static async Task AssertRefusedAsync(HttpResponseMessage response, params string[] notHeld)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.GrantNotHeld);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.All(notHeld, name => Assert.Contains(name, detail, StringComparison.Ordinal));
    }

    private static object Client(string clientId, string[] permissions, string? tenant = null) => new
    {
        clientId,
        type = "confidential",
        grantTypes = new[] { "client_credentials" },
        scopes = new[] { "api" },
        tenant,
        permissions,
    };

    private static async Task<ClientWithSecret> CreateClientAsync(HttpClient api, string clientId, string[] permissions)
    {
        var created = await api.PostAsJsonAsync(IdentityRoutes.Clients, Client(clientId, permissions), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<ClientWithSecret>(Ct))!;
    }

    private static async Task<(Guid, Guid)> CreateTenantsAsync(HttpClient api, string first, string second)
    {
        async Task<Guid> CreateAsync(string slug)
        {
            var response = await api.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug, name = slug }, Ct);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        }

        return (await CreateAsync(first), await CreateAsync(second));
    }
}
