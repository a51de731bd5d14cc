using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mediator;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Modular.Identity.Configuration;
using Modular.Identity.Contracts;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;
using static Microsoft.Playwright.Assertions;

namespace Modular.Admin.Tests;

/// <summary>
/// The identity module's pages of the organization area: a tenant's members and invitations, its roles and its API
/// keys, managed by its own people through the same commands as the tenant API, and out of reach of those without
/// the permission. The people are stored users with memberships (the handlers that act on the caller's own
/// membership look it up); the test sign-in names them by their user id, so its <c>sub</c> is theirs.
/// </summary>
public sealed class OrganizationIdentityTests(AdminConsoleFixture console) : IClassFixture<AdminConsoleFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_owner_invites_an_address_sees_the_invitation_pending_and_revokes_it()
    {
        var acme = await TenantAsync("org-id-invite");
        var owner = await MemberAsync(acme, "owner@invite.example.com", IdentityRoles.Owner);
        await using var admin = await OpenAsOwnerAsync(acme, owner, IdentityRoutes.OrganizationMembers);
        var page = admin.Page;
        await Expect(page.GetByTestId("member-table")).ToContainTextAsync("owner@invite.example.com");

        // A bad address is refused with the field's message, and nothing is invited.
        await page.GetByTestId("invite-email").FillAsync("not-an-address");
        await page.GetByTestId("invite").ClickAsync();
        await Expect(page.GetByTestId("problem")).ToContainTextAsync("Enter a valid email address.");
        await Expect(page.GetByTestId("invitation-table")).ToContainTextAsync("No invitations.");

        await page.GetByTestId("invite-email").FillAsync("new.hire@invite.example.com");
        await page.GetByTestId("invite").ClickAsync();

        var row = InvitationRow(page, "new.hire@invite.example.com");
        await Expect(row.GetByTestId("invitation-status")).ToHaveTextAsync(InvitationStatuses.Pending);
        await row.GetByTestId("revoke-invitation").ClickAsync();
        await TenantScreens.DialogButton(page, "Revoke").ClickAsync();
        await Expect(row.GetByTestId("invitation-status")).ToHaveTextAsync(InvitationStatuses.Revoked);

        var invitation = Assert.Single((await TenantApiAsync<InvitationPage>(acme, IdentityRoutes.TenantInvitations)).Items);
        Assert.Equal(("new.hire@invite.example.com", InvitationStatuses.Revoked), (invitation.Email, invitation.Status));
        Assert.Equal([IdentityRoles.Member], invitation.Roles);
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task A_pasted_list_with_a_bad_address_invites_the_others_and_says_what_became_of_each()
    {
        var acme = await TenantAsync("org-id-bulk");
        var owner = await MemberAsync(acme, "owner@bulk.example.com", IdentityRoles.Owner);
        await using var admin = await OpenAsOwnerAsync(acme, owner, IdentityRoutes.OrganizationMembers);
        var page = admin.Page;

        await page.GetByTestId("bulk-emails").FillAsync("ann@bulk.example.com\nnot-an-address\nowner@bulk.example.com, bob@bulk.example.com");
        await page.GetByTestId("bulk-invite").ClickAsync();

        await Expect(page.GetByTestId("bulk-outcome")).ToHaveTextAsync(
            [BulkInvitationOutcomes.Invited, BulkInvitationOutcomes.Invalid, BulkInvitationOutcomes.AlreadyMember, BulkInvitationOutcomes.Invited]);
        await Expect(InvitationRow(page, "ann@bulk.example.com").GetByTestId("invitation-status")).ToHaveTextAsync(InvitationStatuses.Pending);
        await Expect(InvitationRow(page, "bob@bulk.example.com").GetByTestId("invitation-status")).ToHaveTextAsync(InvitationStatuses.Pending);
        await Expect(page.GetByTestId("invitation-email")).ToHaveCountAsync(2);
    }

    [Fact]
    public async Task An_owner_makes_a_custom_role_and_gives_it_to_a_member()
    {
        var acme = await TenantAsync("org-id-roles");
        var owner = await MemberAsync(acme, "owner@roles.example.com", IdentityRoles.Owner);
        var mia = await MemberAsync(acme, "mia@roles.example.com", IdentityRoles.Member);
        await using var admin = await OpenAsOwnerAsync(acme, owner, IdentityRoutes.OrganizationRoles);
        var page = admin.Page;

        await page.GetByTestId("new-role").ClickAsync();
        var editor = page.GetByTestId("role-editor");
        await editor.GetByTestId("role-name").FillAsync("Auditors!");
        await CheckAsync(editor, IdentityPermissions.MembersRead);
        await page.GetByTestId("save-role").ClickAsync();
        await Expect(page.GetByTestId("problem")).ToContainTextAsync("A role name uses lower-case letters");

        await editor.GetByTestId("role-name").FillAsync("auditor");
        await page.GetByTestId("save-role").ClickAsync();
        var role = page.GetByTestId("role-table").Locator("tbody tr", new() { Has = page.GetByTestId("role-row-name").GetByText("auditor", new() { Exact = true }) });
        await Expect(role.GetByTestId("role-permissions")).ToHaveTextAsync(IdentityPermissions.MembersRead);

        await admin.FollowMenuLinkAsync("Members");
        var row = MemberRow(page, "mia@roles.example.com");
        await row.GetByTestId("edit-roles").ClickAsync();
        await CheckAsync(page.GetByTestId("roles-editor"), "auditor");
        await page.GetByTestId("save-roles").ClickAsync();
        await Expect(row.GetByTestId("member-roles")).ToContainTextAsync("auditor");

        var members = (await TenantApiAsync<TenantMemberPage>(acme, IdentityRoutes.TenantMembers)).Items;
        Assert.Equal(["auditor", IdentityRoles.Member], members.Single(m => m.UserId == mia).Roles.Order(StringComparer.Ordinal));
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task The_last_owner_is_told_why_they_cannot_leave_and_hands_ownership_over()
    {
        var acme = await TenantAsync("org-id-owner");
        var owner = await MemberAsync(acme, "owner@owner.example.com", IdentityRoles.Owner);
        await MemberAsync(acme, "heir@owner.example.com", IdentityRoles.Member);
        await using var admin = await OpenAsOwnerAsync(acme, owner, IdentityRoutes.OrganizationMembers);
        var page = admin.Page;

        await page.GetByTestId("leave-organization").ClickAsync();
        await TenantScreens.DialogButton(page, "Leave").ClickAsync();
        await Expect(page.GetByTestId("problem")).ToContainTextAsync("keeps at least one owner");

        await MemberRow(page, "heir@owner.example.com").GetByTestId("transfer-ownership").ClickAsync();
        await TenantScreens.DialogButton(page, "Transfer").ClickAsync();
        await Expect(MemberRow(page, "heir@owner.example.com").GetByTestId("member-roles")).ToContainTextAsync(IdentityRoles.Owner);
        await Expect(MemberRow(page, "owner@owner.example.com").GetByTestId("member-roles")).ToHaveTextAsync(IdentityRoles.TenantAdmin);
    }

    [Fact]
    public async Task A_tenant_admin_who_would_take_away_what_they_do_not_hold_is_refused_and_told_why()
    {
        var acme = await TenantAsync("org-id-admin");
        await MemberAsync(acme, "owner@admin.example.com", IdentityRoles.Owner);
        var admin = await MemberAsync(acme, "admin@admin.example.com", IdentityRoles.TenantAdmin);
        await using var page = await OpenAsAsync(acme, admin, IdentityRoles.TenantAdmin, IdentityRoutes.OrganizationMembers);

        // An admin holds no owners' permission: no ownership to hand over, and removing an owner is refused by the handler.
        await Expect(page.Page.GetByTestId("transfer-ownership")).ToHaveCountAsync(0);
        await MemberRow(page.Page, "owner@admin.example.com").GetByTestId("remove-member").ClickAsync();
        await TenantScreens.DialogButton(page.Page, "Remove").ClickAsync();

        await Expect(page.Page.GetByTestId("problem")).ToContainTextAsync($"you do not hold {IdentityPermissions.OwnersManage}");
        await Expect(page.Page.GetByTestId("member-email")).ToHaveTextAsync(["owner@admin.example.com", "admin@admin.example.com"]);
    }

    [Fact]
    public async Task An_api_keys_secret_is_shown_once_gets_a_token_and_stops_working_when_rotated_and_revoked()
    {
        var acme = await TenantAsync("org-id-keys");
        var owner = await MemberAsync(acme, "owner@keys.example.com", IdentityRoles.Owner);
        await using var admin = await OpenAsOwnerAsync(acme, owner, IdentityRoutes.OrganizationApiKeys);
        var page = admin.Page;

        await page.GetByTestId("new-key").ClickAsync();
        await page.GetByTestId("key-name").FillAsync("CI pipeline");
        await CheckAsync(page.GetByTestId("key-editor"), IdentityPermissions.MembersRead);
        await page.GetByTestId("save-key").ClickAsync();

        var (clientId, secret) = await ShownSecretAsync(page);
        await Expect(page.GetByTestId("key-token-endpoint")).ToHaveTextAsync(new Uri(console.BaseAddress, "connect/token").ToString());
        Assert.Null(await TokenErrorAsync(clientId, secret));
        await page.GetByTestId("close-secret").ClickAsync();
        await Expect(page.GetByTestId("key-secret")).ToHaveCountAsync(0);

        // Listed without its secret, also on a new page.
        await admin.ReloadAsync();
        await Expect(page.GetByTestId("key-row-client-id")).ToHaveTextAsync(clientId);
        await Expect(page.GetByTestId("key-row-holds")).ToHaveTextAsync(IdentityPermissions.MembersRead);
        await Expect(page.Locator("body")).Not.ToContainTextAsync(secret);

        await page.GetByTestId("rotate-key").ClickAsync();
        await TenantScreens.DialogButton(page, "Rotate").ClickAsync();
        var (_, rotated) = await ShownSecretAsync(page);
        Assert.NotEqual(secret, rotated);
        Assert.Equal("invalid_client", await TokenErrorAsync(clientId, secret));
        Assert.Null(await TokenErrorAsync(clientId, rotated));
        await page.GetByTestId("close-secret").ClickAsync();

        await page.GetByTestId("revoke-key").ClickAsync();
        await TenantScreens.DialogButton(page, "Revoke").ClickAsync();
        await Expect(page.GetByTestId("key-table")).ToContainTextAsync("No API keys yet.");
        Assert.Equal("invalid_client", await TokenErrorAsync(clientId, rotated));
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task A_member_who_may_only_read_sees_the_members_and_roles_but_nothing_to_change_them_with()
    {
        var acme = await TenantAsync("org-id-reader");
        var other = await TenantAsync("org-id-elsewhere");
        await MemberAsync(acme, "owner@reader.example.com", IdentityRoles.Owner);
        var reader = await MemberAsync(acme, "reader@reader.example.com", IdentityRoles.Member);
        await MemberAsync(other, "someone@elsewhere.example.com", IdentityRoles.Owner);
        await using var member = await console.OpenAsync(TestSignIn.Describe(reader.ToString(), [IdentityPermissions.MembersRead], acme.Id.ToString()));
        var page = member.Page;

        await member.GotoAsync(IdentityRoutes.OrganizationMembers);
        await Expect(page.GetByTestId("member-email")).ToHaveTextAsync(["owner@reader.example.com", "reader@reader.example.com"]);
        foreach (var control in new[] { "edit-roles", "remove-member", "transfer-ownership", "invite", "bulk-invite", "revoke-invitation" })
        {
            await Expect(page.GetByTestId(control)).ToHaveCountAsync(0);
        }

        await Expect(page.Locator("body")).Not.ToContainTextAsync("elsewhere.example.com");
        await Expect(page.GetByTestId("admin-nav").GetByRole(AriaRole.Link, new() { Name = "API keys" })).ToHaveCountAsync(0);

        await member.FollowMenuLinkAsync("Roles");
        await Expect(page.GetByTestId("role-row-name").First).ToBeVisibleAsync();
        await Expect(page.GetByTestId("new-role")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("edit-role")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_member_without_the_api_keys_permission_gets_forbidden_and_no_key()
    {
        var acme = await TenantAsync("org-id-nokeys");
        var reader = await MemberAsync(acme, "reader@nokeys.example.com", IdentityRoles.Member);
        using (var admin = TenantClient(acme, IdentityPermissions.ApiKeysManage, IdentityPermissions.MembersRead))
        {
            var created = await admin.PostAsJsonAsync(IdentityRoutes.TenantApiKeys, new { name = "secret-pipeline", permissions = new[] { IdentityPermissions.MembersRead } }, Ct);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await using var member = await console.OpenAsync(TestSignIn.Describe(reader.ToString(), [IdentityPermissions.MembersRead], acme.Id.ToString()));
        await member.GotoAsync(IdentityRoutes.OrganizationApiKeys);

        await Expect(member.Page.GetByTestId("forbidden")).ToBeVisibleAsync();
        await Expect(member.Page.GetByTestId("key-table")).ToHaveCountAsync(0);
        await Expect(member.Page.Locator("body")).Not.ToContainTextAsync("secret-pipeline");
    }

    private static ILocator MemberRow(IPage page, string email) =>
        page.GetByTestId("member-table").Locator("tbody tr", new() { Has = page.GetByTestId("member-email").GetByText(email, new() { Exact = true }) });

    private static ILocator InvitationRow(IPage page, string email) =>
        page.GetByTestId("invitation-table").Locator("tbody tr", new() { Has = page.GetByTestId("invitation-email").GetByText(email, new() { Exact = true }) });

    /// <summary>Ticks the checkbox labelled <paramref name="label"/> and waits until the circuit has it ticked.</summary>
    private static async Task CheckAsync(ILocator within, string label)
    {
        await within.GetByText(label, new() { Exact = true }).ClickAsync();
        await Expect(within.GetByRole(AriaRole.Checkbox, new() { Name = label, Exact = true })).ToBeCheckedAsync();
    }

    private static async Task<(string ClientId, string Secret)> ShownSecretAsync(IPage page)
    {
        await Expect(page.GetByTestId("key-secret")).ToBeVisibleAsync();
        var clientId = (await page.GetByTestId("key-client-id").TextContentAsync())!.Trim();
        var secret = (await page.GetByTestId("key-secret").TextContentAsync())!.Trim();
        Assert.True(secret.Length >= 32, $"a generated secret, got '{secret}'");
        return (clientId, secret);
    }

    /// <summary>The client-credentials grant at the host's token endpoint, as the key's holder would ask: its error, or null for a token.</summary>
    private async Task<string?> TokenErrorAsync(string clientId, string secret)
    {
        using var client = console.Host.CreateClient();
        using var response = await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
            ["scope"] = "api",
        }), Ct);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        if (answer.RootElement.TryGetProperty("error", out var error))
        {
            return error.GetString();
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(string.IsNullOrEmpty(answer.RootElement.GetProperty("access_token").GetString()));
        return null;
    }

    private async Task<TenantDto> TenantAsync(string slug)
    {
        using var tenants = new TenantsApi(console);
        return await tenants.CreateAsync(slug, slug);
    }

    /// <summary>A stored user with a membership of <paramref name="tenant"/>, made as an operator would.</summary>
    private async Task<Guid> MemberAsync(TenantDto tenant, string email, string role)
    {
        await using var scope = console.Host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Identity.Domain.User>>();
        var user = new Identity.Domain.User { UserName = email, Email = email, EmailConfirmed = true, DisplayName = email.Split('@')[0], CreatedAt = DateTimeOffset.UtcNow };
        Assert.True((await users.CreateAsync(user)).Succeeded);
        scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
        await scope.ServiceProvider.GetRequiredService<ISender>().Send(new SetMembership(user.Id, tenant.Id, [role]), Ct);
        return user.Id;
    }

    private Task<AdminPage> OpenAsOwnerAsync(TenantDto tenant, Guid owner, string path) => OpenAsAsync(tenant, owner, IdentityRoles.Owner, path);

    /// <summary>The organization area as <paramref name="user"/>, holding what <paramref name="role"/> grants there.</summary>
    private async Task<AdminPage> OpenAsAsync(TenantDto tenant, Guid user, string role, string path)
    {
        string[] permissions;
        await using (var scope = console.Host.Services.CreateAsyncScope())
        {
            permissions = [.. scope.ServiceProvider.GetRequiredService<RoleGrants>().PermissionsOf([role])];
        }

        var page = await console.OpenAsync(TestSignIn.Describe(user.ToString(), permissions, tenant.Id.ToString()));
        await page.GotoAsync(path);
        return page;
    }

    private HttpClient TenantClient(TenantDto tenant, params string[] permissions)
    {
        var client = console.Host.CreateClient();
        client.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe("checker", permissions, tenant.Id.ToString()));
        return client;
    }

    /// <summary>What the tenant API says, independently of the page.</summary>
    private async Task<T> TenantApiAsync<T>(TenantDto tenant, string path)
    {
        using var client = TenantClient(tenant, IdentityPermissions.MembersRead);
        return (await client.GetFromJsonAsync<T>(path, Ct))!;
    }
}
