using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Modular.Identity.Account;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Kernel.Persistence;

namespace Modular.Identity.Tests;

/// <summary>Registration, email confirmation, password reset and the account page, through the real forms.</summary>
public sealed class AccountTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_new_user_registers_confirms_through_the_mailed_link_and_then_signs_in(DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres);
        var browser = oidc.Browser();

        var registered = await AccountFlows.RegisterAsync(browser, "bob@example.com");
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        Assert.Contains("Check your email", await registered.TextAsync());

        // Not confirmed yet: whoever knows the password is told to confirm; a wrong password learns nothing of the account.
        var guessed = await OidcHost.SignInAsync(browser, IdentityRoutes.Login, "bob@example.com", "Not-the-Passw0rd!");
        Assert.Equal(HttpStatusCode.BadRequest, guessed.StatusCode);
        Assert.Contains(WebUtility.HtmlEncode(AccountEndpoints.FailedSignIn), await guessed.TextAsync());
        var early = await OidcHost.SignInAsync(browser, IdentityRoutes.Login, "bob@example.com", OidcHost.Password);
        Assert.Equal(HttpStatusCode.BadRequest, early.StatusCode);
        Assert.Contains(WebUtility.HtmlEncode(AccountEndpoints.ConfirmEmailFirst), await early.TextAsync());
        Assert.DoesNotContain(WebUtility.HtmlEncode(AccountEndpoints.FailedSignIn), await early.TextAsync());

        var link = await AccountFlows.LinkInLatestEmailAsync(oidc, "bob@example.com", OutgoingEmailKinds.ConfirmEmail);
        Assert.StartsWith($"{IdentityRoutes.ConfirmEmail}?", link);
        var confirmed = await AccountFlows.ConfirmThroughLinkAsync(browser, link);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Contains("Email confirmed", await confirmed.TextAsync());

        var signedIn = await OidcHost.SignInAsync(browser, IdentityRoutes.Login, "bob@example.com", OidcHost.Password);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal(IdentityRoutes.Manage, signedIn.Headers.Location!.OriginalString);
        var account = await browser.GetAsync(IdentityRoutes.Manage, Ct);
        Assert.Equal(HttpStatusCode.OK, account.StatusCode);
        Assert.Contains("bob@example.com", await account.TextAsync());
    }

    [Fact]
    public async Task Opening_the_mailed_confirmation_link_confirms_nothing_until_its_page_is_posted()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Postgres, postgres);
        await AccountFlows.RegisterAsync(oidc.Browser(), "scanned@example.com");
        var link = await AccountFlows.LinkInLatestEmailAsync(oidc, "scanned@example.com", OutgoingEmailKinds.ConfirmEmail);

        // A mail scanner follows the link (issue 14, finding 11): it gets a page with a button, and the address stays unconfirmed.
        var landing = await oidc.Browser().GetAsync(link, Ct);
        Assert.Equal(HttpStatusCode.OK, landing.StatusCode);
        Assert.False(await IsConfirmedAsync(oidc, "scanned@example.com"));
        Assert.Equal(HttpStatusCode.BadRequest, (await OidcHost.SignInAsync(oidc.Browser(), IdentityRoutes.Login, "scanned@example.com", OidcHost.Password)).StatusCode);

        // Posting the page's fields without its antiforgery token (a forged form) confirms nothing either.
        var fields = OidcHost.HiddenFields(await landing.TextAsync());
        var forged = await oidc.Browser().PostAsync(IdentityRoutes.ConfirmEmail, new FormUrlEncodedContent(fields.Where(f => f.Key != "__RequestVerificationToken")), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.False(await IsConfirmedAsync(oidc, "scanned@example.com"));

        // The owner presses the button.
        var owner = oidc.Browser();
        var page = await (await owner.GetAsync(link, Ct)).TextAsync();
        var confirmed = await owner.PostAsync(IdentityRoutes.ConfirmEmail, new FormUrlEncodedContent(OidcHost.HiddenFields(page)), Ct);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Contains("Email confirmed", await confirmed.TextAsync());
        Assert.True(await IsConfirmedAsync(oidc, "scanned@example.com"));
        Assert.Equal(HttpStatusCode.Redirect, (await OidcHost.SignInAsync(owner, IdentityRoutes.Login, "scanned@example.com", OidcHost.Password)).StatusCode);
    }

    [Fact]
    public async Task Registering_a_taken_address_answers_like_a_new_one_and_mails_nothing_to_a_confirmed_account()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);

        var taken = await AccountFlows.RegisterAsync(oidc.Browser(), "alice@example.com");
        var fresh = await AccountFlows.RegisterAsync(oidc.Browser(), "carol@example.com");

        Assert.Equal(fresh.StatusCode, taken.StatusCode);
        Assert.Equal((await fresh.TextAsync()).Replace("carol@example.com", "X"), (await taken.TextAsync()).Replace("alice@example.com", "X"));
        Assert.Empty(await AccountFlows.EmailsToAsync(oidc, "alice@example.com"));
        Assert.Single(await AccountFlows.EmailsToAsync(oidc, "carol@example.com"));

        // Registering again while unconfirmed mails a link to choose the password; the account is not duplicated.
        await AccountFlows.RegisterAsync(oidc.Browser(), "carol@example.com");
        Assert.Equal(2, (await AccountFlows.EmailsToAsync(oidc, "carol@example.com")).Count);
        Assert.StartsWith($"{IdentityRoutes.ResetPassword}?", await AccountFlows.LinkInLatestEmailAsync(oidc, "carol@example.com", OutgoingEmailKinds.PasswordReset));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task An_address_registered_by_a_stranger_is_taken_over_by_its_owner_not_by_the_stranger(DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres);
        const string strangers = "strangers-Passw0rd-1";
        await AccountFlows.RegisterAsync(oidc.Browser(), "victim@example.com", strangers); // the owner ignores that mail

        var owner = oidc.Browser();
        var registered = await AccountFlows.RegisterAsync(owner, "victim@example.com");
        Assert.Contains("Check your email", await registered.TextAsync());
        var link = await AccountFlows.LinkInLatestEmailAsync(oidc, "victim@example.com", OutgoingEmailKinds.PasswordReset);
        var fields = OidcHost.HiddenFields(await (await owner.GetAsync(link, Ct)).TextAsync());
        var chosen = await owner.PostAsync(IdentityRoutes.ResetPassword, Form(fields, OidcHost.Password), Ct);
        Assert.Equal(HttpStatusCode.OK, chosen.StatusCode);

        Assert.Equal(HttpStatusCode.Redirect, (await OidcHost.SignInAsync(owner, IdentityRoutes.Login, "victim@example.com", OidcHost.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await OidcHost.SignInAsync(oidc.Browser(), IdentityRoutes.Login, "victim@example.com", strangers)).StatusCode);
    }

    [Fact]
    public async Task Registration_refuses_bad_input_and_shows_why()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var browser = oidc.Browser();

        var weak = await AccountFlows.RegisterAsync(browser, "dave@example.com", "short");
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        Assert.Contains("at least 10 characters", await weak.TextAsync());

        var mismatch = await AccountFlows.RegisterAsync(browser, "dave@example.com", OidcHost.Password, OidcHost.Password + "x");
        Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
        Assert.Contains("The two passwords differ.", await mismatch.TextAsync());

        foreach (var garbage in new[] { "", "not-an-email", "a@b@c", new string('x', 300) + "@example.com" })
        {
            var response = await AccountFlows.RegisterAsync(browser, garbage);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("Enter a valid email address.", await response.TextAsync());
        }

        Assert.Empty(await AccountFlows.EmailsToAsync(oidc, "dave@example.com"));
    }

    [Fact]
    public async Task Without_required_confirmation_a_new_account_signs_in_at_once()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres, new() { ["Identity:RequireConfirmedEmail"] = "false" });
        var browser = oidc.Browser();
        await AccountFlows.RegisterAsync(browser, "hank@example.com");

        var signedIn = await OidcHost.SignInAsync(browser, IdentityRoutes.Login, "hank@example.com", OidcHost.Password);

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Single(await AccountFlows.EmailsToAsync(oidc, "hank@example.com")); // the link is still sent
    }

    [Fact]
    public async Task Oversize_fields_are_refused_without_touching_accounts()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var huge = new string('A', 100_000) + "a1";

        var register = await AccountFlows.RegisterAsync(oidc.Browser(), "ivy@example.com", huge);
        Assert.Equal(HttpStatusCode.BadRequest, register.StatusCode);
        Assert.Contains("Use at most 256 characters.", await register.TextAsync());

        var forgot = await AccountFlows.PostAsync(oidc.Browser(), IdentityRoutes.ForgotPassword, IdentityRoutes.ForgotPassword, ("email", huge + "@example.com"));
        Assert.Equal(HttpStatusCode.BadRequest, forgot.StatusCode);

        var browser = await OidcHost.SignedInBrowserAsync(oidc);
        var change = await AccountFlows.PostAsync(browser, IdentityRoutes.Manage, IdentityRoutes.ChangePassword,
            ("currentPassword", OidcHost.Password), ("newPassword", huge), ("confirmPassword", huge));
        Assert.Equal(HttpStatusCode.BadRequest, change.StatusCode);
        Assert.Empty(await AccountFlows.EmailsToAsync(oidc, "ivy@example.com"));
        Assert.Equal(HttpStatusCode.Redirect, (await OidcHost.SignInAsync(oidc.Browser(), IdentityRoutes.Login, "alice@example.com", OidcHost.Password)).StatusCode);
    }

    [Fact]
    public async Task With_registration_switched_off_its_pages_do_not_exist()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres, new() { ["Identity:AllowRegistration"] = "false" });
        var browser = oidc.Browser();

        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync(IdentityRoutes.Register, Ct)).StatusCode);
        var posted = await AccountFlows.PostAsync(browser, IdentityRoutes.Login, IdentityRoutes.Register,
            ("email", "eve@example.com"), ("password", OidcHost.Password), ("confirmPassword", OidcHost.Password));
        Assert.Equal(HttpStatusCode.NotFound, posted.StatusCode);
        Assert.DoesNotContain(IdentityRoutes.Register, await (await browser.GetAsync(IdentityRoutes.Login, Ct)).TextAsync());
        Assert.Empty(await AccountFlows.EmailsToAsync(oidc, "eve@example.com"));
    }

    [Fact]
    public async Task A_broken_or_forged_confirmation_link_confirms_nothing()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var browser = oidc.Browser();
        await AccountFlows.RegisterAsync(browser, "frank@example.com");
        var link = await AccountFlows.LinkInLatestEmailAsync(oidc, "frank@example.com", OutgoingEmailKinds.ConfirmEmail);
        var userId = OidcHost.Query(new Uri("http://localhost" + link), "userId");

        foreach (var broken in new[] { IdentityRoutes.ConfirmEmail, $"{IdentityRoutes.ConfirmEmail}?userId=garbage&code=x" })
        {
            var response = await browser.GetAsync(broken, Ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("not valid", await response.TextAsync());
        }

        // Well formed, so the page shows its button; pressing it finds the code forged.
        foreach (var forged in new[] { $"{IdentityRoutes.ConfirmEmail}?userId={userId}&code=forged", $"{IdentityRoutes.ConfirmEmail}?userId={Guid.NewGuid()}&code=x" })
        {
            var response = await AccountFlows.ConfirmThroughLinkAsync(browser, forged);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("not valid", await response.TextAsync());
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await OidcHost.SignInAsync(browser, IdentityRoutes.Login, "frank@example.com", OidcHost.Password)).StatusCode);
    }

    [Fact]
    public async Task Resending_the_confirmation_answers_the_same_for_any_address_and_mails_only_unconfirmed_accounts()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        await AccountFlows.RegisterAsync(oidc.Browser(), "gina@example.com");

        var answers = new List<string>();
        foreach (var email in new[] { "gina@example.com", "alice@example.com", "nobody@example.com" })
        {
            var response = await AccountFlows.PostAsync(oidc.Browser(), IdentityRoutes.ResendConfirmation, IdentityRoutes.ResendConfirmation, ("email", email));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            answers.Add((await response.TextAsync()).Replace(email, "X"));
        }

        Assert.Single(answers.Distinct());
        Assert.Equal(2, (await AccountFlows.EmailsToAsync(oidc, "gina@example.com")).Count);
        Assert.Empty(await AccountFlows.EmailsToAsync(oidc, "alice@example.com"));
        Assert.Empty(await AccountFlows.EmailsToAsync(oidc, "nobody@example.com"));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Password_reset_answers_alike_for_unknown_addresses_refuses_weak_passwords_and_its_link_works_once(DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres);
        var browser = oidc.Browser();

        var known = await AccountFlows.PostAsync(browser, IdentityRoutes.ForgotPassword, IdentityRoutes.ForgotPassword, ("email", "alice@example.com"));
        var unknown = await AccountFlows.PostAsync(browser, IdentityRoutes.ForgotPassword, IdentityRoutes.ForgotPassword, ("email", "nobody@example.com"));
        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
        Assert.Equal((await known.TextAsync()).Replace("alice@example.com", "X"), (await unknown.TextAsync()).Replace("nobody@example.com", "X"));
        Assert.Empty(await AccountFlows.EmailsToAsync(oidc, "nobody@example.com"));

        var link = await AccountFlows.LinkInLatestEmailAsync(oidc, "alice@example.com", OutgoingEmailKinds.PasswordReset);
        var form = await browser.GetAsync(link, Ct);
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        var fields = OidcHost.HiddenFields(await form.TextAsync());

        // A weak password: said so, and nothing changed (the old password still works, the link still does).
        var weak = await browser.PostAsync(IdentityRoutes.ResetPassword, Form(fields, "weak"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        Assert.Contains("at least 10 characters", await weak.TextAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await OidcHost.SignInAsync(oidc.Browser(), IdentityRoutes.Login, "alice@example.com", OidcHost.Password)).StatusCode);

        var reset = await browser.PostAsync(IdentityRoutes.ResetPassword, Form(fields, AccountFlows.NewPassword), Ct);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Contains("Password changed", await reset.TextAsync());

        var replayed = await browser.PostAsync(IdentityRoutes.ResetPassword, Form(fields, "another-Passphrase-42"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, replayed.StatusCode);
        Assert.Contains("not valid", await replayed.TextAsync());

        Assert.Equal(HttpStatusCode.BadRequest, (await OidcHost.SignInAsync(oidc.Browser(), IdentityRoutes.Login, "alice@example.com", OidcHost.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await OidcHost.SignInAsync(oidc.Browser(), IdentityRoutes.Login, "alice@example.com", AccountFlows.NewPassword)).StatusCode);
    }

    [Fact]
    public async Task A_reset_link_with_a_forged_token_or_user_changes_nothing()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var browser = oidc.Browser();
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.GetAsync(IdentityRoutes.ResetPassword, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.GetAsync($"{IdentityRoutes.ResetPassword}?userId=garbage&code=x", Ct)).StatusCode);

        var token = OidcHost.HiddenFields(await (await browser.GetAsync(IdentityRoutes.ForgotPassword, Ct)).TextAsync())["__RequestVerificationToken"];
        foreach (var userId in new[] { Guid.NewGuid().ToString(), "garbage", "" })
        {
            var fields = new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["userId"] = userId, ["code"] = "forged" };
            var response = await browser.PostAsync(IdentityRoutes.ResetPassword, Form(fields, AccountFlows.NewPassword), Ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Redirect, (await OidcHost.SignInAsync(browser, IdentityRoutes.Login, "alice@example.com", OidcHost.Password)).StatusCode);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_signed_in_user_changes_their_password_and_their_email_through_a_link_to_the_new_address(DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres);
        var browser = await OidcHost.SignedInBrowserAsync(oidc);

        var wrongCurrent = await AccountFlows.PostAsync(browser, IdentityRoutes.Manage, IdentityRoutes.ChangePassword,
            ("currentPassword", "not-it-Really-1"), ("newPassword", AccountFlows.NewPassword), ("confirmPassword", AccountFlows.NewPassword));
        Assert.Equal(HttpStatusCode.BadRequest, wrongCurrent.StatusCode);
        Assert.Contains("Incorrect password.", await wrongCurrent.TextAsync());

        var changed = await AccountFlows.PostAsync(browser, IdentityRoutes.Manage, IdentityRoutes.ChangePassword,
            ("currentPassword", OidcHost.Password), ("newPassword", AccountFlows.NewPassword), ("confirmPassword", AccountFlows.NewPassword));
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        Assert.Contains("Your password has been changed.", await (await browser.GetAsync(changed.Headers.Location, Ct)).TextAsync());

        var unconfirmedRequest = await AccountFlows.PostAsync(browser, IdentityRoutes.Manage, IdentityRoutes.ChangeEmail, ("newEmail", "alice@new.example.com"), ("currentPassword", OidcHost.Password));
        Assert.Equal(HttpStatusCode.BadRequest, unconfirmedRequest.StatusCode); // the old password no longer is the current one
        Assert.Contains("Your current password is not correct.", await unconfirmedRequest.TextAsync());
        Assert.Empty(await AccountFlows.EmailsToAsync(oidc, "alice@new.example.com"));

        var requested = await AccountFlows.PostAsync(browser, IdentityRoutes.Manage, IdentityRoutes.ChangeEmail, ("newEmail", "alice@new.example.com"), ("currentPassword", AccountFlows.NewPassword));
        Assert.Equal(HttpStatusCode.Redirect, requested.StatusCode);
        var link = await AccountFlows.LinkInLatestEmailAsync(oidc, "alice@new.example.com", OutgoingEmailKinds.ConfirmEmail);
        Assert.Equal(HttpStatusCode.BadRequest, (await AccountFlows.ConfirmThroughLinkAsync(browser, link.Replace("code=", "code=x"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await oidc.Browser().GetAsync(link, Ct)).StatusCode); // opening it (a mail scanner) changes nothing
        var confirmed = await AccountFlows.ConfirmThroughLinkAsync(oidc.Browser(), link);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await AccountFlows.ConfirmThroughLinkAsync(oidc.Browser(), link)).StatusCode); // once

        Assert.Equal(HttpStatusCode.BadRequest, (await OidcHost.SignInAsync(oidc.Browser(), IdentityRoutes.Login, "alice@example.com", AccountFlows.NewPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await OidcHost.SignInAsync(oidc.Browser(), IdentityRoutes.Login, "alice@new.example.com", AccountFlows.NewPassword)).StatusCode);
    }

    [Fact]
    public async Task The_account_pages_need_a_signed_in_user()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        foreach (var path in new[] { IdentityRoutes.Manage, IdentityRoutes.TwoFactor })
        {
            var response = await oidc.Browser().GetAsync(path, Ct);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith(IdentityRoutes.Login, response.Headers.Location!.PathAndQuery);
        }
    }

    [Fact]
    public async Task Every_account_form_posted_without_its_antiforgery_token_is_refused()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var anonymous = oidc.Browser();
        var signedIn = await OidcHost.SignedInBrowserAsync(oidc);
        (string Name, string Value)[] anything = [("email", "alice@example.com"), ("password", OidcHost.Password), ("code", "123456")];

        foreach (var action in new[] { IdentityRoutes.Register, IdentityRoutes.ResendConfirmation, IdentityRoutes.ForgotPassword, IdentityRoutes.ResetPassword, IdentityRoutes.LoginTwoFactor })
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await AccountFlows.PostWithoutTokenAsync(anonymous, action, anything)).StatusCode);
        }

        foreach (var action in new[] { IdentityRoutes.ChangePassword, IdentityRoutes.ChangeEmail, IdentityRoutes.EnableTwoFactor,
                     IdentityRoutes.RecoveryCodes, IdentityRoutes.DisableTwoFactor, IdentityRoutes.ResetAuthenticator })
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await AccountFlows.PostWithoutTokenAsync(signedIn, action, anything)).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await AccountFlows.PostWithoutTokenAsync(signedIn, action)).StatusCode);
        }

        Assert.Empty(await AccountFlows.EmailsToAsync(oidc, "alice@example.com"));
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    public async Task Sign_in_returns_only_to_a_path_on_this_site(string returnUrl)
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var browser = oidc.Browser();

        var signedIn = await OidcHost.SignInAsync(browser, $"{IdentityRoutes.Login}?returnUrl=" + Uri.EscapeDataString(returnUrl), "alice@example.com", OidcHost.Password);

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal(IdentityRoutes.Manage, signedIn.Headers.Location!.OriginalString);
    }

    private static async Task<bool> IsConfirmedAsync(OidcHost oidc, string email)
    {
        await using var scope = oidc.Host.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<UserManager<User>>().FindByEmailAsync(email))!.EmailConfirmed;
    }

    private static FormUrlEncodedContent Form(Dictionary<string, string> fields, string password) =>
        new(new Dictionary<string, string>(fields) { ["password"] = password, ["confirmPassword"] = password });
}
