using System.Net;
using System.Net.Http.Json;
using System.Text;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Modular.Identity.Configuration;
using Modular.Identity.Contracts;
using Modular.Identity.Persistence;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;

namespace Modular.Identity.Tests;

/// <summary>
/// <c>/api/v1/tenant/members</c> from the attacker's side (issue 16): a tenant's admin manages its own tenant's
/// members only (another tenant's are 404), grants and takes away only what it holds, and the last owner stays.
/// </summary>
public sealed class TenantMembersTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_tenant_admin_lists_and_manages_the_members_of_its_own_tenant_only(DatabaseProvider provider)
    {
        await using var world = await TenantWorld.StartAsync(provider, postgres);
        var admin = world.As(world.Adam, world.Acme, IdentityRoles.TenantAdmin);

        var page = (await admin.GetFromJsonAsync<TenantMemberPage>($"{IdentityRoutes.TenantMembers}?pageSize=2", Ct))!;
        Assert.Equal(4, page.Total);
        Assert.Equal([world.Olivia, world.Adam], page.Items.Select(m => m.UserId));
        Assert.Equal([IdentityRoles.Owner], page.Items[0].Roles);
        var found = (await admin.GetFromJsonAsync<TenantMemberPage>($"{IdentityRoutes.TenantMembers}?search=MIA", Ct))!;
        Assert.Equal([world.Mia], found.Items.Select(m => m.UserId));

        var changed = await admin.PutAsJsonAsync(IdentityRoutes.TenantMemberRoles(world.Mia), new { roles = new[] { IdentityRoles.Member, IdentityRoles.TenantAdmin } }, Ct);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal([IdentityRoles.Member, IdentityRoles.TenantAdmin], (await changed.Content.ReadFromJsonAsync<TenantMemberDto>(Ct))!.Roles);

        // Globex's member, and someone who is nobody's: the same 404 as for an id that does not exist.
        foreach (var outsider in new[] { world.Gus, world.Nobody, Guid.NewGuid() })
        {
            await (await admin.PutAsJsonAsync(IdentityRoutes.TenantMemberRoles(outsider), new { roles = new[] { IdentityRoles.Member } }, Ct))
                .AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
            await (await admin.DeleteAsync(IdentityRoutes.TenantMember(outsider), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(IdentityRoutes.TenantMember(world.Mia), Ct)).StatusCode);
        Assert.Equal([world.Olivia, world.Adam, world.Nadia], (await admin.GetFromJsonAsync<TenantMemberPage>(IdentityRoutes.TenantMembers, Ct))!.Items.Select(m => m.UserId));
        Assert.Equal([IdentityRoles.Member], (await world.MembershipsAsync(world.Gus)).Single().Roles);
        Assert.Equal(["membership.set", "membership.set", "membership.removed"], await world.AuditActionsAsync(world.Acme, $"user:{world.Mia}")); // set up, changed, removed
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Nobody_grants_or_takes_away_what_they_do_not_hold(DatabaseProvider provider)
    {
        await using var world = await TenantWorld.StartAsync(provider, postgres);
        var admin = world.As(world.Adam, world.Acme, IdentityRoles.TenantAdmin);
        var member = world.As(world.Mia, world.Acme, IdentityRoles.Member);

        // A member holds neither permission.
        await (await member.GetAsync(IdentityRoutes.TenantMembers, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await member.PutAsJsonAsync(IdentityRoutes.TenantMemberRoles(world.Mia), new { roles = new[] { IdentityRoles.TenantAdmin } }, Ct))
            .AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await member.DeleteAsync(IdentityRoutes.TenantMember(world.Adam), Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);

        // An admin makes no owner, and neither demotes nor removes one: owners hold identity.owners.manage, admins do not.
        await AssertNotHeldAsync(await admin.PutAsJsonAsync(IdentityRoutes.TenantMemberRoles(world.Mia), new { roles = new[] { IdentityRoles.Owner } }, Ct), IdentityPermissions.OwnersManage);
        await AssertNotHeldAsync(await admin.PutAsJsonAsync(IdentityRoutes.TenantMemberRoles(world.Adam), new { roles = new[] { IdentityRoles.Owner } }, Ct), IdentityPermissions.OwnersManage);
        await AssertNotHeldAsync(await admin.PutAsJsonAsync(IdentityRoutes.TenantMemberRoles(world.Olivia), new { roles = new[] { IdentityRoles.Member } }, Ct), IdentityPermissions.OwnersManage);
        await AssertNotHeldAsync(await admin.DeleteAsync(IdentityRoutes.TenantMember(world.Olivia), Ct), IdentityPermissions.OwnersManage);
        await (await admin.PostAsJsonAsync(IdentityRoutes.TransferOwnership, new { userId = world.Adam }, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);

        // Allowed to manage members, but holding nothing else: making someone an admin hands out what it lacks.
        var clerk = world.AsHolding(world.Mia, world.Acme, IdentityPermissions.MembersManage);
        await AssertNotHeldAsync(await clerk.PutAsJsonAsync(IdentityRoutes.TenantMemberRoles(world.Nadia), new { roles = new[] { IdentityRoles.TenantAdmin } }, Ct),
            IdentityPermissions.MembersRead, IdentityPermissions.RolesManage);
        await AssertNotHeldAsync(await clerk.DeleteAsync(IdentityRoutes.TenantMember(world.Adam), Ct), IdentityPermissions.MembersRead, IdentityPermissions.RolesManage);

        var acme = (await world.MembershipsInAsync(world.Acme)).ToDictionary(m => m.UserId, m => m.Roles);
        Assert.Equal([IdentityRoles.Owner], acme[world.Olivia]);
        Assert.Equal([IdentityRoles.TenantAdmin], acme[world.Adam]);
        Assert.Equal([IdentityRoles.Member], acme[world.Mia]);
        Assert.Equal([IdentityRoles.Member], acme[world.Nadia]);

        // The owner may do all of it.
        var owner = world.As(world.Olivia, world.Acme, IdentityRoles.Owner);
        Assert.Equal(HttpStatusCode.OK, (await owner.PutAsJsonAsync(IdentityRoutes.TenantMemberRoles(world.Mia), new { roles = new[] { IdentityRoles.Owner } }, Ct)).StatusCode);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task The_last_owner_cannot_leave_be_removed_or_step_down_until_ownership_is_transferred(DatabaseProvider provider)
    {
        await using var world = await TenantWorld.StartAsync(provider, postgres);
        var owner = world.As(world.Olivia, world.Acme, IdentityRoles.Owner);

        await (await owner.PostAsync(IdentityRoutes.LeaveTenant, null, Ct)).AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.LastOwner);
        await (await owner.PutAsJsonAsync(IdentityRoutes.TenantMemberRoles(world.Olivia), new { roles = new[] { IdentityRoles.TenantAdmin } }, Ct))
            .AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.LastOwner);
        await (await owner.DeleteAsync(IdentityRoutes.TenantMember(world.Olivia), Ct)).AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.LastOwner);
        // Nor can an operator take the last owner out, from the platform's side.
        var operatorApi = world.Host.CreateClientAs("operator", world.Host.ApiPermissions());
        await (await operatorApi.DeleteAsync(IdentityRoutes.Membership(world.Olivia, world.Acme), Ct)).AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.LastOwner);
        await (await operatorApi.PutAsJsonAsync(IdentityRoutes.Membership(world.Olivia, world.Acme), new { roles = new[] { IdentityRoles.Member } }, Ct))
            .AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.LastOwner);
        // Ownership goes only to a member of this tenant.
        await (await owner.PostAsJsonAsync(IdentityRoutes.TransferOwnership, new { userId = world.Gus }, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);

        var transferred = await owner.PostAsJsonAsync(IdentityRoutes.TransferOwnership, new { userId = world.Adam }, Ct);
        Assert.Equal(HttpStatusCode.OK, transferred.StatusCode);
        var acme = (await world.MembershipsInAsync(world.Acme)).ToDictionary(m => m.UserId, m => m.Roles);
        Assert.Equal([IdentityRoles.TenantAdmin, IdentityRoles.Owner], acme[world.Adam]);
        Assert.Equal([IdentityRoles.TenantAdmin], acme[world.Olivia]);

        // Her token still says owner; the membership is what counts.
        await (await owner.PostAsJsonAsync(IdentityRoutes.TransferOwnership, new { userId = world.Mia }, Ct)).AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.Conflict);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.PostAsync(IdentityRoutes.LeaveTenant, null, Ct)).StatusCode);
        await (await world.As(world.Adam, world.Acme, IdentityRoles.Owner).PostAsync(IdentityRoutes.LeaveTenant, null, Ct))
            .AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.LastOwner);
        Assert.DoesNotContain(world.Olivia, (await world.MembershipsInAsync(world.Acme)).Select(m => m.UserId));
        Assert.Equal(["membership.set", "ownership.transferred"], await world.AuditActionsAsync(world.Acme, $"user:{world.Adam}"));
    }

    [Fact]
    public async Task Missing_garbage_and_oversize_fields_are_refused_naming_the_field()
    {
        await using var world = await TenantWorld.StartAsync(DatabaseProvider.Postgres, postgres);
        var owner = world.As(world.Olivia, world.Acme, IdentityRoles.Owner);
        var roles = IdentityRoutes.TenantMemberRoles(world.Mia);

        (await (await owner.PutAsJsonAsync(roles, new { }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("roles");
        (await (await owner.PutAsJsonAsync(roles, new { roles = Array.Empty<string>() }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("roles");
        (await (await owner.PutAsJsonAsync(roles, new { roles = new[] { "" } }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("roles[0]");
        (await (await owner.PutAsJsonAsync(roles, new { roles = new[] { IdentityRoles.Member, "no-such-role" } }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("roles[1]");
        (await (await owner.PutAsJsonAsync(roles, new { roles = new[] { IdentityRoles.PlatformAdmin } }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("roles[0]");
        (await (await owner.PutAsJsonAsync(roles, new { roles = new[] { "member\0" } }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("roles[0]");
        (await (await owner.PutAsJsonAsync(roles, new { roles = Enumerable.Repeat(IdentityRoles.Member, 5_000) }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("roles");
        (await (await owner.PutAsJsonAsync(roles, new { roles = new[] { new string('x', 100_000) } }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("roles[0]");
        await (await owner.PutAsync(roles, new StringContent("{\"roles\": [\"member\"", Encoding.UTF8, "application/json"), Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.MalformedRequest);
        await (await owner.PutAsync(roles, new StringContent("{\"roles\": \"member\"}", Encoding.UTF8, "application/json"), Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.MalformedRequest);
        (await (await owner.GetAsync($"{IdentityRoutes.TenantMembers}?pageSize=1000", Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("pageSize");
        (await (await owner.GetAsync($"{IdentityRoutes.TenantMembers}?search=a%00b", Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("search");
        (await (await owner.PostAsJsonAsync(IdentityRoutes.TransferOwnership, new { }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("userId");
        await (await owner.PostAsync(IdentityRoutes.TransferOwnership, new StringContent("{\"userId\": \"not-a-guid\"}", Encoding.UTF8, "application/json"), Ct))
            .AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.MalformedRequest);

        // Without a tenant in the token there is no "own tenant" to act in.
        var platformOnly = world.Host.CreateClientAs("operator", IdentityPermissions.MembersRead);
        await (await platformOnly.GetAsync(IdentityRoutes.TenantMembers, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);

        Assert.Equal([IdentityRoles.Member], (await world.MembershipsAsync(world.Mia)).Single().Roles);
    }

    /// <summary>403 grant-not-held, naming each of <paramref name="notHeld"/>.</summary>
    internal static async Task AssertNotHeldAsync(HttpResponseMessage response, params string[] notHeld)
    {
        var detail = (await response.AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.GrantNotHeld)).GetProperty("detail").GetString()!;
        Assert.All(notHeld, name => Assert.Contains(name, detail, StringComparison.Ordinal));
    }
}

/// <summary>
/// Two tenants and their people, for the tenant API's tests: acme has Olivia (owner), Adam (tenant-admin), Mia and
/// Nadia (members); globex has Gus (member); Nobody belongs nowhere. Callers sign in with <see cref="TestSignIn"/>
/// as a stored user (their id is the token's subject) holding what their role grants in one tenant.
/// </summary>
internal sealed class TenantWorld : IAsyncDisposable
{
    private TenantWorld(ModularHost host) => Host = host;

    public ModularHost Host { get; }

    public TenantDto AcmeTenant { get; private set; } = null!;

    public TenantDto GlobexTenant { get; private set; } = null!;

    public Guid Acme => AcmeTenant.Id;

    public Guid Globex => GlobexTenant.Id;

    public Guid Olivia { get; private set; }

    public Guid Adam { get; private set; }

    public Guid Mia { get; private set; }

    public Guid Nadia { get; private set; }

    public Guid Gus { get; private set; }

    public Guid Nobody { get; private set; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <param name="services">Adds or replaces services before the host starts (a fake clock...).</param>
    public static async Task<TenantWorld> StartAsync(
        DatabaseProvider provider, PostgresServer postgres, Action<IServiceCollection>? services = null, IDictionary<string, string?>? settings = null)
    {
        var world = new TenantWorld((await ModularHost.StartAsync(provider, postgres, settings)).WithServices(services ?? (_ => { })));
        var setup = world.Host.CreateClientAs("setup", TenantsPermissions.Manage, TenantsPermissions.Read);
        world.AcmeTenant = await CreateTenantAsync(setup, "acme");
        world.GlobexTenant = await CreateTenantAsync(setup, "globex");
        world.Olivia = await world.MemberAsync("olivia@acme.example", world.Acme, IdentityRoles.Owner);
        world.Adam = await world.MemberAsync("adam@acme.example", world.Acme, IdentityRoles.TenantAdmin);
        world.Mia = await world.MemberAsync("mia@acme.example", world.Acme, IdentityRoles.Member);
        world.Nadia = await world.MemberAsync("nadia@acme.example", world.Acme, IdentityRoles.Member);
        world.Gus = await world.MemberAsync("gus@globex.example", world.Globex, IdentityRoles.Member);
        world.Nobody = await ManagementApiTests.CreateUserAsync(world.Host, "nobody@example.com");
        return world;
    }

    /// <summary>The user, signed in to <paramref name="tenant"/> with what <paramref name="role"/> grants.</summary>
    public HttpClient As(Guid user, Guid tenant, string role) =>
        AsHolding(user, tenant, [.. Host.Services.GetRequiredService<IOptions<IdentitySettings>>().Value.PermissionsOf([role])]);

    public HttpClient AsHolding(Guid user, Guid tenant, params string[] permissions)
    {
        var client = Host.CreateClient();
        client.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe(user.ToString(), permissions, tenant.ToString()));
        return client;
    }

    public async Task<List<Domain.Membership>> MembershipsAsync(Guid user) =>
        await ReadAsync(db => db.Memberships.AsNoTracking().Where(m => m.UserId == user).ToListAsync(Ct));

    public async Task<List<Domain.Membership>> MembershipsInAsync(Guid tenant) =>
        await ReadAsync(db => db.Memberships.AsNoTracking().Where(m => m.TenantId == tenant).ToListAsync(Ct));

    /// <summary>The identity module's audit actions on <paramref name="target"/> in the tenant's chain, oldest first.</summary>
    public async Task<List<string>> AuditActionsAsync(Guid tenant, string target) =>
        await ReadAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.TenantId == tenant && e.Target == target)
            .OrderBy(e => e.Sequence).Select(e => e.Action).ToListAsync(Ct));

    public async Task<T> ReadAsync<T>(Func<IdentityDbContext, Task<T>> read)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
        return await read(scope.ServiceProvider.GetRequiredService<IdentityDbContext>());
    }

    public ValueTask DisposeAsync() => Host.DisposeAsync();

    private async Task<Guid> MemberAsync(string email, Guid tenant, string role)
    {
        var user = await ManagementApiTests.CreateUserAsync(Host, email);
        await using var scope = Host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
        await scope.ServiceProvider.GetRequiredService<ISender>().Send(new SetMembership(user, tenant, [role]), Ct);
        return user;
    }

    private static async Task<TenantDto> CreateTenantAsync(HttpClient setup, string slug)
    {
        var response = await setup.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug, name = slug }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TenantDto>(Ct))!;
    }
}
