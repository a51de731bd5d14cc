using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Kernel.Persistence;
using Modular.Tenants.Contracts;

namespace Modular.Identity.Tests;

/// <summary>
/// Sign-up (issue 16): a visitor makes an account and an organisation they own, which serves once the address is
/// confirmed; off unless configured open; guarded by slug rules, limits and the same answer for taken addresses.
/// </summary>
public sealed class SignUpTests(PostgresServer postgres)
{
    private static readonly Dictionary<string, string?> Open = new() { ["Identity:SignUp:Mode"] = "open" };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_visitor_signs_up_confirms_and_owns_an_organisation_that_serves_from_then_on(DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres, new(Open) { ["FORWARDEDHEADERS_ENABLED"] = "true" });
        var visitor = oidc.Browser();
        visitor.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.7"); // as behind a proxy

        var signedUp = await SignUpAsync(visitor, "Initech Labs", "peter@initech.example");
        Assert.Equal(HttpStatusCode.OK, signedUp.StatusCode);
        Assert.Contains("Check your email", await signedUp.TextAsync());

        // The organisation exists at once (its slug is held) but serves nobody until the owner confirms.
        var pending = Assert.Single((await oidc.SendAsync(new ListTenants(Search: "initech"))).Items);
        Assert.Equal(("initech-labs", TenantStatuses.PendingActivation), (pending.Slug, pending.Status));
        var signUp = Assert.Single((await oidc.SendAsync(new ListSignUps(Pending: true))).Items);
        Assert.Equal((pending.Id, "Initech Labs", "peter@initech.example", (DateTimeOffset?)null), (signUp.TenantId, signUp.OrganizationName, signUp.Email, signUp.ActivatedAt));
        Assert.Equal("203.0.113.7", signUp.ClientAddress);
        Assert.Equal(HttpStatusCode.BadRequest, (await OidcHost.SignInAsync(oidc.Browser(), IdentityRoutes.Login, "peter@initech.example", OidcHost.Password)).StatusCode);

        var link = await AccountFlows.LinkInLatestEmailAsync(oidc, "peter@initech.example", OutgoingEmailKinds.ConfirmEmail);
        var confirmed = await AccountFlows.ConfirmThroughLinkAsync(visitor, link);
        Assert.Contains("Initech Labs is ready", await confirmed.TextAsync());

        Assert.Equal(TenantStatuses.Active, (await oidc.SendAsync(new GetTenant(pending.Id))).Status);
        var owner = await oidc.SendAsync(new GetUser(signUp.UserId));
        Assert.Equal([IdentityRoles.Owner], Assert.Single(owner.Memberships, m => m.TenantId == pending.Id).Roles);
        Assert.NotNull(Assert.Single((await oidc.SendAsync(new ListSignUps(Pending: false))).Items).ActivatedAt);
        Assert.Empty((await oidc.SendAsync(new ListSignUps(Pending: true))).Items);
        Assert.Equal(HttpStatusCode.Redirect, (await OidcHost.SignInAsync(oidc.Browser(), IdentityRoutes.Login, "peter@initech.example", OidcHost.Password)).StatusCode);

        // Confirming again (the link replayed) activates nothing twice.
        await AccountFlows.ConfirmThroughLinkAsync(oidc.Browser(), link);
        var trail = await oidc.SendAsync(new GetTenantAuditTrail(pending.Id));
        Assert.Equal(["tenant.created", "tenant.activated"], trail.Entries.Select(e => e.Action));
    }

    [Fact]
    public async Task Sign_up_is_invite_only_by_default_and_closing_it_closes_registration_too()
    {
        await using (var inviteOnly = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await inviteOnly.Browser().GetAsync(IdentityRoutes.SignUp, Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await inviteOnly.Browser().GetAsync(IdentityRoutes.Register, Ct)).StatusCode); // invitees register
            Assert.DoesNotContain(IdentityRoutes.SignUp, await (await inviteOnly.Browser().GetAsync(IdentityRoutes.Login, Ct)).TextAsync());
        }

        await using (var closed = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres, new() { ["Identity:SignUp:Mode"] = "closed" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await closed.Browser().GetAsync(IdentityRoutes.SignUp, Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await closed.Browser().GetAsync(IdentityRoutes.Register, Ct)).StatusCode);
            Assert.DoesNotContain(IdentityRoutes.Register, await (await closed.Browser().GetAsync(IdentityRoutes.Login, Ct)).TextAsync());
        }

        await using var open = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres, Open);
        Assert.Contains(IdentityRoutes.SignUp, await (await open.Browser().GetAsync(IdentityRoutes.Login, Ct)).TextAsync());
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var wrong = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres, new() { ["Identity:SignUp:Mode"] = "sometimes" });
        });
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Taken_reserved_and_malformed_slugs_and_bad_fields_are_refused_and_nothing_is_made(DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres, Open);

        var taken = await SignUpAsync(oidc.Browser(), "Acme", "wile@example.com", slug: "acme"); // the seeded tenant's
        Assert.Equal(HttpStatusCode.BadRequest, taken.StatusCode);
        Assert.Contains("The address 'acme' is taken; 'acme-2' is free.", WebUtility.HtmlDecode(await taken.TextAsync()));
        var reserved = await SignUpAsync(oidc.Browser(), "Admin", "wile@example.com");
        Assert.Contains("The address 'admin' is reserved; 'admin-2' is free.", WebUtility.HtmlDecode(await reserved.TextAsync()));
        foreach (var (organization, slug, email, password, error) in new[]
        {
            ("Road Runner", "Not_A_Slug", "wile@example.com", OidcHost.Password, "Choose an address"),
            ("Road Runner", new string('a', 64), "wile@example.com", OidcHost.Password, "Choose an address"),
            ("", "", "wile@example.com", OidcHost.Password, "organisation"),
            (new string('x', 201), "", "wile@example.com", OidcHost.Password, "organisation"),
            ("Road Runner", "", "not-an-email", OidcHost.Password, "valid email"),
            ("Road Runner", "", "wile@example.com", "short", "at least"),
        })
        {
            var refused = await SignUpAsync(oidc.Browser(), organization, email, slug, password);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains(error, WebUtility.HtmlDecode(await refused.TextAsync()), StringComparison.OrdinalIgnoreCase);
        }

        var forged = await AccountFlows.PostWithoutTokenAsync(oidc.Browser(), IdentityRoutes.SignUp,
            ("organization", "Forged"), ("email", "forged@example.com"), ("password", OidcHost.Password), ("confirmPassword", OidcHost.Password));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        Assert.Empty((await oidc.SendAsync(new ListSignUps())).Items);
        Assert.Equal(2, (await oidc.SendAsync(new ListTenants())).Total); // the seeded two
        await using var scope = oidc.Host.Services.CreateAsyncScope();
        Assert.Null(await scope.ServiceProvider.GetRequiredService<UserManager<User>>().FindByEmailAsync("wile@example.com"));
        Assert.Null(await scope.ServiceProvider.GetRequiredService<UserManager<User>>().FindByEmailAsync("forged@example.com"));
    }

    [Fact]
    public async Task An_address_with_an_account_gets_the_answer_a_new_one_gets_and_owns_nothing()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Postgres, postgres, Open);

        var fresh = await SignUpAsync(oidc.Browser(), "Fresh Co", "fresh@example.com");
        var taken = await SignUpAsync(oidc.Browser(), "Alice Co", "alice@example.com"); // seeded and confirmed

        Assert.Equal(fresh.StatusCode, taken.StatusCode);
        Assert.Equal((await fresh.TextAsync()).Replace("fresh@example.com", "X").Replace("Fresh Co", "Y"),
            (await taken.TextAsync()).Replace("alice@example.com", "X").Replace("Alice Co", "Y"));
        Assert.Empty(await AccountFlows.EmailsToAsync(oidc, "alice@example.com"));

        // Both slugs are held the same way; only the new account owns its tenant, Alice's is left to expire.
        var tenants = (await oidc.SendAsync(new ListTenants(Status: TenantStatuses.PendingActivation))).Items.ToDictionary(t => t.Slug);
        Assert.Equal(["alice-co", "fresh-co"], tenants.Keys.Order());
        var alice = (await oidc.SendAsync(new ListUsers(Search: "alice@example.com"))).Items.Single();
        Assert.DoesNotContain((await oidc.SendAsync(new GetUser(alice.Id))).Memberships, m => m.TenantId == tenants["alice-co"].Id);
        Assert.Equal(["fresh@example.com"], (await oidc.SendAsync(new ListSignUps())).Items.Select(s => s.Email));
    }

    [Fact]
    public async Task Sign_ups_are_limited_per_address_and_per_client()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres, new()
        {
            ["Identity:SignUp:Mode"] = "open",
            ["Identity:SignUp:PerAddressLimit"] = "2",
            ["Identity:SignUp:PerClientLimit"] = "4",
        });

        Assert.Equal(HttpStatusCode.OK, (await SignUpAsync(oidc.Browser(), "One", "same@example.com")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SignUpAsync(oidc.Browser(), "Two", "same@example.com")).StatusCode);
        var perAddress = await SignUpAsync(oidc.Browser(), "Three", "same@example.com");
        Assert.Equal(HttpStatusCode.TooManyRequests, perAddress.StatusCode);
        Assert.NotNull(perAddress.Headers.RetryAfter);

        Assert.Equal(HttpStatusCode.OK, (await SignUpAsync(oidc.Browser(), "Four", "other@example.com")).StatusCode); // this client's fourth
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SignUpAsync(oidc.Browser(), "Five", "third@example.com")).StatusCode);
        Assert.Equal(["four", "one", "two"], (await oidc.SendAsync(new ListTenants(Status: TenantStatuses.PendingActivation))).Items.Select(t => t.Slug).Order());
    }

    [Fact]
    public async Task Only_operators_who_read_users_list_sign_ups()
    {
        await using var host = await ModularHost.StartAsync(DatabaseProvider.Sqlite, postgres, Open);

        var operatorPage = await host.CreateClientAs("operator", IdentityPermissions.UsersRead).GetAsync($"{IdentityRoutes.SignUps}?pending=true", Ct);
        Assert.Equal(0, (await operatorPage.Content.ReadFromJsonAsync<SignUpPage>(Ct))!.Total);
        await (await host.CreateClientAs("clerk", TenantsPermissions.Read).GetAsync(IdentityRoutes.SignUps, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, Kernel.Errors.ProblemTypes.Forbidden);
        await (await host.CreateMemberClient("alice", "acme").GetAsync(IdentityRoutes.SignUps, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, Kernel.Errors.ProblemTypes.Forbidden);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.CreateClient().GetAsync(IdentityRoutes.SignUps, Ct)).StatusCode);
        var oversize = await host.CreateClientAs("operator", IdentityPermissions.UsersRead).GetAsync($"{IdentityRoutes.SignUps}?pageSize=1000", Ct);
        (await oversize.AssertProblemAsync(HttpStatusCode.BadRequest, Kernel.Errors.ProblemTypes.Validation)).AssertNamesField("pageSize");
        var garbage = await host.CreateClientAs("operator", IdentityPermissions.UsersRead).GetAsync($"{IdentityRoutes.SignUps}?pending=perhaps", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
    }

    private static Task<HttpResponseMessage> SignUpAsync(
        HttpClient browser, string organization, string email, string slug = "", string password = OidcHost.Password) =>
        AccountFlows.PostAsync(browser, IdentityRoutes.SignUp, IdentityRoutes.SignUp,
            ("organization", organization), ("slug", slug), ("email", email), ("displayName", "Founder"), ("password", password), ("confirmPassword", password));
}
