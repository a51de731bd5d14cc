using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Modular.Identity.Account;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;

namespace Modular.Identity.Tests;

/// <summary>
/// <c>/api/v1/tenant/invitations</c> and accepting an invitation (issue 16), from the attacker's side: a forwarded link
/// lets nobody else in, an expired, revoked, reused or superseded link changes nothing, another tenant's invitation is
/// 404, and nobody invites into a role whose permissions they do not hold.
/// </summary>
public sealed partial class InvitationTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task The_invitee_accepts_the_mailed_invitation_once_and_becomes_a_member_with_the_invited_role(DatabaseProvider provider)
    {
        await using var world = await TenantWorld.StartAsync(provider, postgres);
        var admin = world.As(world.Adam, world.Acme, IdentityRoles.TenantAdmin);

        var created = await admin.PostAsJsonAsync(IdentityRoutes.TenantInvitations, new { email = " Nobody@Example.com ", roles = new[] { IdentityRoles.TenantAdmin } }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var invitation = (await created.Content.ReadFromJsonAsync<InvitationDto>(Ct))!;
        Assert.Equal(IdentityRoutes.TenantInvitation(invitation.Id), created.Headers.Location?.OriginalString);
        Assert.Equal(("Nobody@Example.com", InvitationStatuses.Pending), (invitation.Email, invitation.Status));
        Assert.Contains(world.Adam.ToString(), invitation.InvitedBy, StringComparison.Ordinal);

        var (id, token) = await LinkInInvitationAsync(world, "Nobody@Example.com");
        Assert.Equal(invitation.Id, id);
        // Only the token's hash is stored.
        var stored = await world.ReadAsync(db => db.Invitations.AsNoTracking().SingleAsync(i => i.Id == id, Ct));
        Assert.DoesNotContain(token, stored.TokenHash, StringComparison.Ordinal);
        Assert.Equal(Invitation.TokenHashLength, stored.TokenHash.Length);

        var nobody = Signed(world, world.Nobody);
        var accepted = await nobody.PostAsJsonAsync(IdentityRoutes.AcceptInvitation, new { id, token }, Ct);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var joined = (await accepted.Content.ReadFromJsonAsync<AcceptedInvitation>(Ct))!;
        Assert.Equal((world.Acme, world.Nobody), (joined.TenantId, joined.UserId));
        Assert.Equal([IdentityRoles.TenantAdmin], joined.Roles);
        Assert.Equal([IdentityRoles.TenantAdmin], (await world.MembershipsAsync(world.Nobody)).Single(m => m.TenantId == world.Acme).Roles);

        // Reused: refused, and nothing changes.
        await (await nobody.PostAsJsonAsync(IdentityRoutes.AcceptInvitation, new { id, token }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.InvitationNotValid);
        var listed = (await admin.GetFromJsonAsync<InvitationPage>($"{IdentityRoutes.TenantInvitations}?status=accepted", Ct))!;
        var done = Assert.Single(listed.Items);
        Assert.Equal((invitation.Id, InvitationStatuses.Accepted, (Guid?)world.Nobody), (done.Id, done.Status, done.AcceptedBy));
        Assert.Empty((await admin.GetFromJsonAsync<InvitationPage>($"{IdentityRoutes.TenantInvitations}?status=pending", Ct))!.Items);
        Assert.Equal(["invitation.created", "invitation.accepted"], await world.AuditActionsAsync(world.Acme, $"invitation:{id}"));

        // Now a member: inviting the address again is a conflict.
        await (await admin.PostAsJsonAsync(IdentityRoutes.TenantInvitations, new { email = "nobody@example.com", roles = new[] { IdentityRoles.Member } }, Ct))
            .AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.Conflict);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Expired_revoked_and_superseded_links_change_nothing(DatabaseProvider provider)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var world = await TenantWorld.StartAsync(provider, postgres, services => services.AddSingleton<TimeProvider>(clock));
        var admin = world.As(world.Adam, world.Acme, IdentityRoles.TenantAdmin);
        var nobody = Signed(world, world.Nobody);

        // Expired: the default lifetime is seven days.
        var expiring = await InviteAsync(admin, "nobody@example.com");
        var (_, expiringToken) = await LinkInInvitationAsync(world, "nobody@example.com");
        clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));
        await (await nobody.PostAsJsonAsync(IdentityRoutes.AcceptInvitation, new { id = expiring.Id, token = expiringToken }, Ct))
            .AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.InvitationNotValid);
        Assert.Equal([expiring.Id], (await admin.GetFromJsonAsync<InvitationPage>($"{IdentityRoutes.TenantInvitations}?status=expired", Ct))!.Items.Select(i => i.Id));

        // Resent: a new link and expiry; the old link is dead even where it had not expired. (The clock moves between the
        // mails, so the newest is the one with the greatest id.)
        clock.Advance(TimeSpan.FromMinutes(1));
        var resent = await admin.PostAsync(IdentityRoutes.ResendInvitation(expiring.Id), null, Ct);
        Assert.Equal(HttpStatusCode.OK, resent.StatusCode);
        Assert.Equal(InvitationStatuses.Pending, (await resent.Content.ReadFromJsonAsync<InvitationDto>(Ct))!.Status);
        var (_, newToken) = await LinkInInvitationAsync(world, "nobody@example.com");
        Assert.NotEqual(expiringToken, newToken);
        clock.Advance(TimeSpan.FromMinutes(1));
        var second = await admin.PostAsync(IdentityRoutes.ResendInvitation(expiring.Id), null, Ct);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var (_, newestToken) = await LinkInInvitationAsync(world, "nobody@example.com");
        foreach (var dead in new[] { expiringToken, newToken })
        {
            await (await nobody.PostAsJsonAsync(IdentityRoutes.AcceptInvitation, new { id = expiring.Id, token = dead }, Ct))
                .AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        }

        // Revoked: the newest link dies too, and a revoked invitation is neither revoked nor resent again.
        var revoked = await admin.PostAsync(IdentityRoutes.RevokeInvitation(expiring.Id), null, Ct);
        Assert.Equal(InvitationStatuses.Revoked, (await revoked.Content.ReadFromJsonAsync<InvitationDto>(Ct))!.Status);
        await (await nobody.PostAsJsonAsync(IdentityRoutes.AcceptInvitation, new { id = expiring.Id, token = newestToken }, Ct))
            .AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.InvitationNotValid);
        await (await admin.PostAsync(IdentityRoutes.RevokeInvitation(expiring.Id), null, Ct)).AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.Conflict);
        await (await admin.PostAsync(IdentityRoutes.ResendInvitation(expiring.Id), null, Ct)).AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.Conflict);

        Assert.DoesNotContain(world.Acme, (await world.MembershipsAsync(world.Nobody)).Select(m => m.TenantId));
        Assert.Equal(["invitation.created", "invitation.resent", "invitation.resent", "invitation.revoked"], await world.AuditActionsAsync(world.Acme, $"invitation:{expiring.Id}"));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_forwarded_link_lets_nobody_else_in_and_another_tenant_cannot_see_or_touch_the_invitation(DatabaseProvider provider)
    {
        await using var world = await TenantWorld.StartAsync(provider, postgres);
        var admin = world.As(world.Adam, world.Acme, IdentityRoles.TenantAdmin);
        var unconfirmed = await CreateUnconfirmedUserAsync(world, "late@example.com");
        var invitation = await InviteAsync(admin, "nobody@example.com");
        var (id, token) = await LinkInInvitationAsync(world, "nobody@example.com");
        var forUnconfirmed = await InviteAsync(admin, "late@example.com");
        var (_, unconfirmedToken) = await LinkInInvitationAsync(world, "late@example.com");

        // Gus (another tenant's member) holds the forwarded link: refused, and the invitation stays pending.
        var gus = Signed(world, world.Gus);
        await (await gus.PostAsJsonAsync(IdentityRoutes.AcceptInvitation, new { id, token }, Ct))
            .AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.InvitationForAnotherAddress);
        // The right address, but not confirmed by the account that claims it.
        await (await Signed(world, unconfirmed).PostAsJsonAsync(IdentityRoutes.AcceptInvitation, new { id = forUnconfirmed.Id, token = unconfirmedToken }, Ct))
            .AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.InvitationForAnotherAddress);
        // A guessed token, or the token of another invitation: the same 404 as an id that does not exist.
        await (await gus.PostAsJsonAsync(IdentityRoutes.AcceptInvitation, new { id, token = unconfirmedToken }, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await gus.PostAsJsonAsync(IdentityRoutes.AcceptInvitation, new { id = Guid.NewGuid(), token }, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);

        // Globex's admin on Acme's invitation ids: 404, and Acme's invitations are not in Globex's list.
        var globexAdmin = world.As(world.Gus, world.Globex, IdentityRoles.TenantAdmin);
        await (await globexAdmin.PostAsync(IdentityRoutes.RevokeInvitation(id), null, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await globexAdmin.PostAsync(IdentityRoutes.ResendInvitation(id), null, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        Assert.Equal(0, (await globexAdmin.GetFromJsonAsync<InvitationPage>(IdentityRoutes.TenantInvitations, Ct))!.Total);

        var pending = (await admin.GetFromJsonAsync<InvitationPage>($"{IdentityRoutes.TenantInvitations}?status=pending", Ct))!;
        Assert.Equal([forUnconfirmed.Id, invitation.Id], pending.Items.Select(i => i.Id));
        Assert.Equal([world.Globex], (await world.MembershipsAsync(world.Gus)).Select(m => m.TenantId));
        Assert.Empty(await world.MembershipsAsync(unconfirmed));
        Assert.Single(await EmailsToAsync(world, "nobody@example.com")); // no mail went anywhere because of the refusals
    }

    [Fact]
    public async Task Nobody_invites_into_what_they_do_not_hold()
    {
        await using var world = await TenantWorld.StartAsync(DatabaseProvider.Postgres, postgres);
        var admin = world.As(world.Adam, world.Acme, IdentityRoles.TenantAdmin);

        // An admin makes no owner, by invitation either.
        await TenantMembersTests.AssertNotHeldAsync(
            await admin.PostAsJsonAsync(IdentityRoutes.TenantInvitations, new { email = "boss@example.com", roles = new[] { IdentityRoles.Owner } }, Ct), IdentityPermissions.OwnersManage);
        await TenantMembersTests.AssertNotHeldAsync(
            await admin.PostAsJsonAsync(IdentityRoutes.BulkInvitations, new { emails = new[] { "boss@example.com" }, roles = new[] { IdentityRoles.Owner } }, Ct), IdentityPermissions.OwnersManage);
        // Allowed to manage members but holding nothing else: no admin can come of it.
        var clerk = world.AsHolding(world.Mia, world.Acme, IdentityPermissions.MembersManage);
        await TenantMembersTests.AssertNotHeldAsync(
            await clerk.PostAsJsonAsync(IdentityRoutes.TenantInvitations, new { email = "helper@example.com", roles = new[] { IdentityRoles.TenantAdmin } }, Ct),
            IdentityPermissions.MembersRead, IdentityPermissions.RolesManage);
        // A member manages nobody.
        var member = world.As(world.Mia, world.Acme, IdentityRoles.Member);
        await (await member.PostAsJsonAsync(IdentityRoutes.TenantInvitations, new { email = "friend@example.com", roles = new[] { IdentityRoles.Member } }, Ct))
            .AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await member.GetAsync(IdentityRoutes.TenantInvitations, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);

        // Resending is inviting again: an owner's invitation to an owner, resent by an admin, is refused too.
        var ownersInvitation = await InviteAsync(world.As(world.Olivia, world.Acme, IdentityRoles.Owner), "co-owner@example.com", IdentityRoles.Owner);
        await TenantMembersTests.AssertNotHeldAsync(await admin.PostAsync(IdentityRoutes.ResendInvitation(ownersInvitation.Id), null, Ct), IdentityPermissions.OwnersManage);

        Assert.Equal([ownersInvitation.Id], (await world.ReadAsync(db => db.Invitations.AsNoTracking().Select(i => i.Id).ToListAsync(Ct))));
    }

    [Fact]
    public async Task Missing_garbage_and_oversize_fields_are_refused_naming_the_field()
    {
        await using var world = await TenantWorld.StartAsync(DatabaseProvider.Postgres, postgres);
        var admin = world.As(world.Adam, world.Acme, IdentityRoles.TenantAdmin);
        var invitations = IdentityRoutes.TenantInvitations;
        var member = new[] { IdentityRoles.Member };

        (await (await admin.PostAsJsonAsync(invitations, new { }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("email");
        (await (await admin.PostAsJsonAsync(invitations, new { email = "a@example.com" }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("roles");
        (await (await admin.PostAsJsonAsync(invitations, new { email = "not an address", roles = member }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("email");
        (await (await admin.PostAsJsonAsync(invitations, new { email = new string('a', 100_000) + "@example.com", roles = member }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("email");
        (await (await admin.PostAsJsonAsync(invitations, new { email = "a\0b@example.com", roles = member }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("email");
        (await (await admin.PostAsJsonAsync(invitations, new { email = "a@example.com", roles = new[] { "" } }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("roles[0]");
        (await (await admin.PostAsJsonAsync(invitations, new { email = "a@example.com", roles = new[] { IdentityRoles.Member, "no-such-role" } }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("roles[1]");
        (await (await admin.PostAsJsonAsync(invitations, new { email = "a@example.com", roles = new[] { IdentityRoles.PlatformAdmin } }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("roles[0]");
        (await (await admin.PostAsJsonAsync(invitations, new { email = "a@example.com", roles = Enumerable.Repeat(IdentityRoles.Member, 5_000) }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("roles");
        await (await admin.PostAsync(invitations, new StringContent("{\"email\": \"a@example.com\", \"roles\": [", Encoding.UTF8, "application/json"), Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.MalformedRequest);
        await (await admin.PostAsync(invitations, new StringContent("{\"email\": 42, \"roles\": [\"member\"]}", Encoding.UTF8, "application/json"), Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.MalformedRequest);

        var bulk = IdentityRoutes.BulkInvitations;
        (await (await admin.PostAsJsonAsync(bulk, new { emails = Array.Empty<string>(), roles = member }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("emails");
        (await (await admin.PostAsJsonAsync(bulk, new { emails = Enumerable.Range(0, 101).Select(n => $"user{n}@example.com"), roles = member }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("emails");
        (await (await admin.PostAsJsonAsync(bulk, new { emails = new[] { "a@example.com", null }, roles = member }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("emails[1]");
        (await (await admin.PostAsJsonAsync(bulk, new { emails = new[] { new string('a', 100_000) }, roles = member }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("emails[0]");

        (await (await admin.GetAsync($"{invitations}?status=lost", Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("status");
        (await (await admin.GetAsync($"{invitations}?pageSize=1000", Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("pageSize");

        var nobody = Signed(world, world.Nobody);
        (await (await nobody.PostAsJsonAsync(IdentityRoutes.AcceptInvitation, new { token = "x" }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("id");
        (await (await nobody.PostAsJsonAsync(IdentityRoutes.AcceptInvitation, new { id = Guid.NewGuid() }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("token");
        (await (await nobody.PostAsJsonAsync(IdentityRoutes.AcceptInvitation, new { id = Guid.NewGuid(), token = new string('x', 100_000) }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("token");
        await (await nobody.PostAsync(IdentityRoutes.AcceptInvitation, new StringContent("{\"id\": \"not-a-guid\", \"token\": \"x\"}", Encoding.UTF8, "application/json"), Ct))
            .AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.MalformedRequest);
        // Accepting needs someone signed in.
        await (await world.Host.CreateClient().PostAsJsonAsync(IdentityRoutes.AcceptInvitation, new { id = Guid.NewGuid(), token = "x" }, Ct))
            .AssertProblemAsync(HttpStatusCode.Unauthorized, ProblemTypes.Unauthorized);

        Assert.Equal(0, await world.ReadAsync(db => db.Invitations.CountAsync(Ct)));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_bulk_invitation_answers_for_each_address_and_invites_only_the_new_ones(DatabaseProvider provider)
    {
        await using var world = await TenantWorld.StartAsync(provider, postgres);
        var admin = world.As(world.Adam, world.Acme, IdentityRoles.TenantAdmin);
        await InviteAsync(admin, "waiting@example.com");

        var response = await admin.PostAsJsonAsync(IdentityRoutes.BulkInvitations, new
        {
            emails = new[] { "new@example.com", "MIA@acme.example", "waiting@example.com", "not an address", " NEW@example.com ", "other@example.com" },
            roles = new[] { IdentityRoles.Member },
        }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = (await response.Content.ReadFromJsonAsync<BulkInvitationResult>(Ct))!.Items;
        Assert.Equal(
            [BulkInvitationOutcomes.Invited, BulkInvitationOutcomes.AlreadyMember, BulkInvitationOutcomes.AlreadyInvited, BulkInvitationOutcomes.Invalid,
                BulkInvitationOutcomes.AlreadyInvited, BulkInvitationOutcomes.Invited],
            items.Select(i => i.Outcome));
        Assert.All(items.Where(i => i.Outcome == BulkInvitationOutcomes.Invited), i => Assert.NotNull(i.Invitation));

        var pending = (await admin.GetFromJsonAsync<InvitationPage>($"{IdentityRoutes.TenantInvitations}?status=pending", Ct))!;
        Assert.Equal(["new@example.com", "other@example.com", "waiting@example.com"], pending.Items.Select(i => i.Email).Order(StringComparer.Ordinal));
        Assert.Single(await EmailsToAsync(world, "new@example.com"));
        Assert.Single(await EmailsToAsync(world, "waiting@example.com")); // from its own invitation, not again
        Assert.Empty(await EmailsToAsync(world, "MIA@acme.example"));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task The_mailed_page_shows_a_button_and_accepts_for_the_signed_in_invitee_only(DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres);
        var bob = await ManagementApiTests.CreateUserAsync(oidc.Host, "bob@example.com");
        var (id, token) = await InviteDirectlyAsync(oidc, "alice@example.com", IdentityRoles.TenantAdmin);
        var link = QueryHelpers.AddQueryString(IdentityRoutes.AcceptInvitationPage, new Dictionary<string, string?> { ["id"] = id.ToString(), ["token"] = token });

        // Not signed in: the way to sign in (or register) as the invited address, and back here.
        var anonymous = await oidc.Browser().GetAsync(link, Ct);
        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        var invite = WebUtility.HtmlDecode(await anonymous.TextAsync());
        Assert.Contains("alice@example.com", invite, StringComparison.Ordinal);
        var signInHref = SignInLink().Match(invite);
        Assert.True(signInHref.Success, invite);
        Assert.Equal(link, QueryHelpers.ParseQuery(new Uri("http://localhost" + signInHref.Groups[1].Value).Query)["returnUrl"].ToString());

        // Bob has the forwarded link: a clear refusal, and the invitation stays pending.
        var bobsBrowser = oidc.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await OidcHost.SignInAsync(bobsBrowser, IdentityRoutes.Login, "bob@example.com", OidcHost.Password)).StatusCode);
        var refused = await AccountFlows.ConfirmThroughLinkAsync(bobsBrowser, link);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("alice@example.com", WebUtility.HtmlDecode(await refused.TextAsync()), StringComparison.Ordinal);
        Assert.Equal(InvitationState.Pending, (await StoredAsync(oidc, id)).State);

        // A forged cross-site post (no antiforgery token) does nothing either.
        var alice = await OidcHost.SignedInBrowserAsync(oidc);
        Assert.Equal(HttpStatusCode.BadRequest, (await AccountFlows.PostWithoutTokenAsync(alice, IdentityRoutes.AcceptInvitationPage, ("id", id.ToString()), ("token", token))).StatusCode);
        Assert.Equal(InvitationState.Pending, (await StoredAsync(oidc, id)).State);

        // Alice opens it: a button (opening alone changes nothing), then she is a member of globex.
        var accepted = await AccountFlows.ConfirmThroughLinkAsync(alice, link);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var stored = await StoredAsync(oidc, id);
        Assert.Equal(InvitationState.Accepted, stored.State);
        await using (var scope = oidc.Host.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
            var alicesId = (await scope.ServiceProvider.GetRequiredService<UserManager<User>>().FindByEmailAsync("alice@example.com"))!.Id;
            Assert.Equal(alicesId, stored.AcceptedBy);
            var membership = await scope.ServiceProvider.GetRequiredService<IdentityDbContext>().Memberships.AsNoTracking()
                .SingleAsync(m => m.UserId == alicesId && m.TenantId == oidc.Globex.Id, Ct);
            Assert.Equal([IdentityRoles.TenantAdmin], membership.Roles);
            Assert.DoesNotContain(bob, await scope.ServiceProvider.GetRequiredService<IdentityDbContext>().Memberships.AsNoTracking()
                .Where(m => m.TenantId == oidc.Globex.Id).Select(m => m.UserId).ToListAsync(Ct));
        }

        // Used: a clear page, and nothing changes.
        Assert.Equal(HttpStatusCode.BadRequest, (await AccountFlows.ConfirmThroughLinkAsync(alice, link)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await oidc.Browser().GetAsync($"{IdentityRoutes.AcceptInvitationPage}?id=garbage", Ct)).StatusCode);
    }

    /// <summary>A caller signed in as a stored user, with no tenant in its token (as an invitee's is).</summary>
    private static HttpClient Signed(TenantWorld world, Guid user)
    {
        var client = world.Host.CreateClient();
        client.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe(user.ToString()));
        return client;
    }

    private static async Task<InvitationDto> InviteAsync(HttpClient inviter, string email, string role = IdentityRoles.Member)
    {
        var response = await inviter.PostAsJsonAsync(IdentityRoutes.TenantInvitations, new { email, roles = new[] { role } }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<InvitationDto>(Ct))!;
    }

    private static async Task<Guid> CreateUnconfirmedUserAsync(TenantWorld world, string email)
    {
        await using var scope = world.Host.Services.CreateAsyncScope();
        var user = new User { UserName = email, Email = email, DisplayName = "Late", CreatedAt = DateTimeOffset.UtcNow };
        Assert.True((await scope.ServiceProvider.GetRequiredService<UserManager<User>>().CreateAsync(user, OidcHost.Password)).Succeeded);
        return user.Id;
    }

    /// <summary>The mailbox (newest first) once the emails queued so far have left.</summary>
    private static async Task<List<OutgoingEmail>> EmailsToAsync(TenantWorld world, string to)
    {
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        world.Host.Services.GetRequiredService<AccountEmails>().Enqueue("test", _ =>
        {
            sent.SetResult();
            return Task.CompletedTask;
        });
        await sent.Task.WaitAsync(Ct);
        return await world.ReadAsync(db => db.OutgoingEmails.AsNoTracking().Where(e => e.To == to).OrderByDescending(e => e.Id).ToListAsync(Ct));
    }

    /// <summary>The id and token of the link in the newest invitation mailed to <paramref name="to"/>.</summary>
    private static async Task<(Guid Id, string Token)> LinkInInvitationAsync(TenantWorld world, string to)
    {
        var email = (await EmailsToAsync(world, to)).First();
        Assert.Equal(OutgoingEmailKinds.Invitation, email.Kind);
        var href = new Uri(WebUtility.HtmlDecode(Href().Match(email.HtmlBody!).Groups[1].Value));
        Assert.Equal(IdentityRoutes.AcceptInvitationPage, href.AbsolutePath);
        var query = QueryHelpers.ParseQuery(href.Query);
        return (Guid.Parse(query["id"]!), query["token"].ToString());
    }

    /// <summary>An invitation to globex, stored as the API would store it (the provider's real sign-in has no test callers to invite with).</summary>
    private static async Task<(Guid Id, string Token)> InviteDirectlyAsync(OidcHost oidc, string email, string role)
    {
        await using var scope = oidc.Host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        var normalized = scope.ServiceProvider.GetRequiredService<UserManager<User>>().NormalizeEmail(email)!;
        var (invitation, token) = Invitation.Create(oidc.Globex.Id, email, normalized, [role], "test", DateTimeOffset.UtcNow, TimeSpan.FromDays(7));
        db.Invitations.Add(invitation);
        await db.CommitAsync(Ct);
        return (invitation.Id, token);
    }

    private static async Task<Invitation> StoredAsync(OidcHost oidc, Guid id)
    {
        await using var scope = oidc.Host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
        return await scope.ServiceProvider.GetRequiredService<IdentityDbContext>().Invitations.AsNoTracking().SingleAsync(i => i.Id == id, Ct);
    }

    [GeneratedRegex("href=\"([^\"]+)\"")]
    private static partial Regex Href();

    [GeneratedRegex("href=\"(/account/login[^\"]*)\"")]
    private static partial Regex SignInLink();
}
