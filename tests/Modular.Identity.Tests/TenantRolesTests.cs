using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Modular.Identity.Contracts;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Kernel.Security;
using Modular.Webhooks.Contracts;

namespace Modular.Identity.Tests;

/// <summary>
/// A tenant's own roles (issue 16): made from the permissions modules let tenants hand out and the caller holds,
/// invisible to other tenants, and in the access token for their tenant only.
/// </summary>
public sealed class TenantRolesTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_tenant_admin_makes_assigns_changes_and_deletes_its_own_roles(DatabaseProvider provider)
    {
        await using var world = await TenantWorld.StartAsync(provider, postgres);
        var admin = world.As(world.Adam, world.Acme, IdentityRoles.TenantAdmin);

        var created = await admin.PostAsJsonAsync(IdentityRoutes.TenantRoles, new { name = "hook-reader", description = "Reads webhook logs", permissions = new[] { WebhooksPermissions.Read } }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(IdentityRoutes.TenantRole("hook-reader"), created.Headers.Location?.OriginalString);
        await (await admin.PostAsJsonAsync(IdentityRoutes.TenantRoles, new { name = "hook-reader", permissions = Array.Empty<string>() }, Ct))
            .AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.Conflict);

        var list = (await admin.GetFromJsonAsync<TenantRoleList>(IdentityRoutes.TenantRoles, Ct))!;
        Assert.Equal([IdentityRoles.Member, IdentityRoles.Owner, IdentityRoles.TenantAdmin], list.Roles.Where(r => r.BuiltIn).Select(r => r.Name).Order(StringComparer.Ordinal));
        Assert.Equal([WebhooksPermissions.Read], Assert.Single(list.Roles, r => !r.BuiltIn).Permissions);
        Assert.Contains(WebhooksPermissions.Manage, list.AssignablePermissions);
        Assert.DoesNotContain(list.AssignablePermissions, p => p.StartsWith(PlatformPermissions.Prefix, StringComparison.Ordinal) || p == IdentityPermissions.OwnersManage);

        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync(IdentityRoutes.TenantMemberRoles(world.Mia), new { roles = new[] { IdentityRoles.Member, "hook-reader" } }, Ct)).StatusCode);
        var changed = await admin.PutAsJsonAsync(IdentityRoutes.TenantRole("hook-reader"), new { permissions = new[] { WebhooksPermissions.Read, WebhooksPermissions.Manage } }, Ct);
        Assert.Equal([WebhooksPermissions.Manage, WebhooksPermissions.Read], (await changed.Content.ReadFromJsonAsync<TenantRoleDto>(Ct))!.Permissions);
        await (await admin.PutAsJsonAsync(IdentityRoutes.TenantRole(IdentityRoles.TenantAdmin), new { permissions = Array.Empty<string>() }, Ct))
            .AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.Conflict);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(IdentityRoutes.TenantRole("hook-reader"), Ct)).StatusCode);
        Assert.Equal([IdentityRoles.Member], (await world.MembershipsAsync(world.Mia)).Single().Roles);
        Assert.DoesNotContain((await admin.GetFromJsonAsync<TenantRoleList>(IdentityRoutes.TenantRoles, Ct))!.Roles, r => !r.BuiltIn);
        Assert.Equal(["role.created", "role.changed", "role.deleted"], await world.AuditActionsAsync(world.Acme, "role:hook-reader"));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Another_tenants_roles_are_out_of_reach_and_a_role_holds_only_what_its_maker_holds(DatabaseProvider provider)
    {
        await using var world = await TenantWorld.StartAsync(provider, postgres);
        var acmeAdmin = world.As(world.Adam, world.Acme, IdentityRoles.TenantAdmin);
        Assert.Equal(HttpStatusCode.Created, (await acmeAdmin.PostAsJsonAsync(IdentityRoutes.TenantRoles, new { name = "hook-reader", permissions = new[] { WebhooksPermissions.Read } }, Ct)).StatusCode);

        // Globex's admin: acme's role is not there to see, change, delete or hand out.
        var globexAdmin = world.As(world.Gus, world.Globex, IdentityRoles.TenantAdmin);
        Assert.DoesNotContain((await globexAdmin.GetFromJsonAsync<TenantRoleList>(IdentityRoutes.TenantRoles, Ct))!.Roles, r => r.Name == "hook-reader");
        await (await globexAdmin.PutAsJsonAsync(IdentityRoutes.TenantRole("hook-reader"), new { permissions = Array.Empty<string>() }, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await globexAdmin.DeleteAsync(IdentityRoutes.TenantRole("hook-reader"), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        (await (await globexAdmin.PutAsJsonAsync(IdentityRoutes.TenantMemberRoles(world.Gus), new { roles = new[] { "hook-reader" } }, Ct))
            .AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("roles[0]");

        // Allowed to manage roles, holding webhooks.read only: it cannot make, widen or delete a role holding more.
        var clerk = world.AsHolding(world.Mia, world.Acme, IdentityPermissions.RolesManage, WebhooksPermissions.Read);
        await TenantMembersTests.AssertNotHeldAsync(await clerk.PostAsJsonAsync(IdentityRoutes.TenantRoles, new { name = "hook-admin", permissions = new[] { WebhooksPermissions.Manage } }, Ct),
            WebhooksPermissions.Manage);
        await TenantMembersTests.AssertNotHeldAsync(await clerk.PutAsJsonAsync(IdentityRoutes.TenantRole("hook-reader"), new { permissions = new[] { WebhooksPermissions.Read, WebhooksPermissions.Manage } }, Ct),
            WebhooksPermissions.Manage);
        Assert.Equal(HttpStatusCode.Created, (await acmeAdmin.PostAsJsonAsync(IdentityRoutes.TenantRoles, new { name = "hook-admin", permissions = new[] { WebhooksPermissions.Manage } }, Ct)).StatusCode);
        await TenantMembersTests.AssertNotHeldAsync(await clerk.DeleteAsync(IdentityRoutes.TenantRole("hook-admin"), Ct), WebhooksPermissions.Manage);

        // A member holds no roles.manage at all.
        await (await world.As(world.Nadia, world.Acme, IdentityRoles.Member).PostAsJsonAsync(IdentityRoutes.TenantRoles, new { name = "mine", permissions = Array.Empty<string>() }, Ct))
            .AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);

        var acmeRoles = (await acmeAdmin.GetFromJsonAsync<TenantRoleList>(IdentityRoutes.TenantRoles, Ct))!.Roles.Where(r => !r.BuiltIn).ToDictionary(r => r.Name, r => r.Permissions);
        Assert.Equal([WebhooksPermissions.Read], acmeRoles["hook-reader"]);
        Assert.Equal([WebhooksPermissions.Manage], acmeRoles["hook-admin"]);
        Assert.Equal(2, acmeRoles.Count);
    }

    [Fact]
    public async Task A_role_definition_that_is_missing_garbage_or_oversize_is_refused_naming_the_field()
    {
        await using var world = await TenantWorld.StartAsync(DatabaseProvider.Postgres, postgres);
        var owner = world.As(world.Olivia, world.Acme, IdentityRoles.Owner);

        async Task RefusedAsync(object body, string field) =>
            (await (await owner.PostAsJsonAsync(IdentityRoutes.TenantRoles, body, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField(field);

        await RefusedAsync(new { permissions = Array.Empty<string>() }, "name");
        await RefusedAsync(new { name = (string?)null, permissions = Array.Empty<string>() }, "name");
        await RefusedAsync(new { name = "reader" }, "permissions");
        await RefusedAsync(new { name = "Bad Name!", permissions = Array.Empty<string>() }, "name");
        await RefusedAsync(new { name = "a\0b", permissions = Array.Empty<string>() }, "name");
        await RefusedAsync(new { name = IdentityRoles.Owner, permissions = Array.Empty<string>() }, "name");
        await RefusedAsync(new { name = IdentityRoles.PlatformAdmin, permissions = Array.Empty<string>() }, "name");
        await RefusedAsync(new { name = new string('a', 10_000), permissions = Array.Empty<string>() }, "name");
        await RefusedAsync(new { name = "reader", description = new string('d', 100_000), permissions = Array.Empty<string>() }, "description");
        await RefusedAsync(new { name = "reader", permissions = new[] { PlatformPermissions.Admin } }, "permissions[0]");
        await RefusedAsync(new { name = "reader", permissions = new[] { WebhooksPermissions.Read, IdentityPermissions.OwnersManage } }, "permissions[1]");
        await RefusedAsync(new { name = "reader", permissions = new[] { "tenants.manage" } }, "permissions[0]");
        await RefusedAsync(new { name = "reader", permissions = Enumerable.Repeat(WebhooksPermissions.Read, 5_000) }, "permissions");
        await (await owner.PostAsync(IdentityRoutes.TenantRoles, new StringContent("[1,2,3]", System.Text.Encoding.UTF8, "application/json"), Ct))
            .AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.MalformedRequest);

        Assert.DoesNotContain((await owner.GetFromJsonAsync<TenantRoleList>(IdentityRoutes.TenantRoles, Ct))!.Roles, r => !r.BuiltIn);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_custom_roles_permissions_are_in_the_access_token_for_its_tenant_only_and_leave_it_when_taken_away(DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres);
        var alice = Assert.Single((await oidc.SendAsync(new ListUsers(Search: "alice"))).Items).Id;
        await oidc.SendInTenantAsync(oidc.Acme, new CreateTenantRole("hook-reader", null, [WebhooksPermissions.Read]));
        await oidc.SendAsync(new SetMembership(alice, oidc.Acme.Id, [IdentityRoles.Member, "hook-reader"]));
        await oidc.SendAsync(new SetMembership(alice, oidc.Globex.Id, [IdentityRoles.Member]));

        var atAcme = await MembershipRevocationTests.SignInAsync(oidc, "acme");
        var atGlobex = await MembershipRevocationTests.SignInAsync(oidc, "globex");

        Assert.Contains(WebhooksPermissions.Read, Permissions(atAcme.AccessToken!));
        Assert.DoesNotContain(WebhooksPermissions.Read, Permissions(atGlobex.AccessToken!));
        Assert.Equal(HttpStatusCode.OK, await WebhookEndpointsAsync(oidc, atAcme.AccessToken!));
        Assert.Equal(HttpStatusCode.Forbidden, await WebhookEndpointsAsync(oidc, atGlobex.AccessToken!));

        // Taking the permission out of the role ends the holders' sessions in acme, not elsewhere.
        await oidc.SendInTenantAsync(oidc.Acme, new UpdateTenantRole("hook-reader", null, []));
        Assert.Equal("invalid_grant", (await MembershipRevocationTests.RefreshAsync(oidc, atAcme.RefreshToken!)).Error);
        var stillAtGlobex = await MembershipRevocationTests.RefreshAsync(oidc, atGlobex.RefreshToken!);
        Assert.False(stillAtGlobex.IsError, stillAtGlobex.Error);
        var again = await MembershipRevocationTests.SignInAsync(oidc, "acme");
        Assert.DoesNotContain(WebhooksPermissions.Read, Permissions(again.AccessToken!));
    }

    private static string[] Permissions(string accessToken) =>
        [.. new JsonWebToken(accessToken).Claims.Where(c => c.Type == ModularClaims.Permission).Select(c => c.Value)];

    private static async Task<HttpStatusCode> WebhookEndpointsAsync(OidcHost oidc, string accessToken)
    {
        using var api = oidc.Backchannel();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return (await api.GetAsync(WebhooksRoutes.Endpoints, Ct)).StatusCode;
    }
}
