using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Federation;
using Modular.Identity.Limits;

namespace Modular.Identity.Account;

/// <summary>Server-rendered sign-in and sign-out: plain forms, antiforgery-checked, no JavaScript needed.</summary>
internal static class AccountEndpoints
{
    /// <summary>One answer for an unknown user, a wrong password and a locked account: nothing to learn from it.</summary>
    public const string FailedSignIn = "The user name or password is incorrect, or the account is locked. Try again later.";

    /// <summary>Told only to whoever knows the password of an account whose address is not confirmed yet.</summary>
    public const string ConfirmEmailFirst =
        "Confirm your email address first: follow the link we emailed you. No email? Use \"Resend the email confirmation link\" below.";

    public static void MapAccountEndpoints(this IEndpointRouteBuilder root)
    {
        var account = root.MapGroup(IdentityRoutes.Account).AllowAnonymous().ExcludeFromDescription();
        account.MapGet("/login", (string? returnUrl, string? userName) => Page(SafeReturnUrl(returnUrl), userName, null));
        account.MapPost("/login", SignInAsync).LimitFailedLogins();
        account.MapExternalSignIn(root);
        account.MapPost("/logout", async (SignInManager<User> signIn) =>
        {
            await signIn.SignOutAsync();
            return Results.LocalRedirect(IdentityRoutes.Login);
        }).RequireAntiforgery(); // a form on another site must not sign the user out
        account.MapGet("/denied", () => Results.Problem(statusCode: StatusCodes.Status403Forbidden, detail: "Your account may not use this page."));
        account.MapGet("/login-2fa", TwoFactorPageAsync);
        account.MapPost("/login-2fa", TwoFactorSignInAsync).RequireAntiforgery();
        account.MapRegistrationEndpoints();
        account.MapSignUpEndpoints();
        account.MapPasswordResetEndpoints();
        account.MapEmailChangeConfirmation();
        account.MapInvitationEndpoints();
        root.MapManageEndpoints();
        root.MapPasskeyEndpoints();
        root.MapExternalLoginsEndpoints();
    }

    private static async Task<IResult> SignInAsync(
        [FromForm] string? username, [FromForm] string? password, [FromForm] bool? remember, [FromForm] string? returnUrl,
        SignInManager<User> signIn, UserManager<User> users, SsoDirectory sso, CancellationToken cancellationToken)
    {
        var target = SafeReturnUrl(returnUrl);
        if (string.IsNullOrWhiteSpace(username) || string.IsNullOrEmpty(password))
        {
            return Page(target, username, FailedSignIn, StatusCodes.Status400BadRequest);
        }

        // Said for the address's domain before anything is looked up: it tells nothing about the account.
        if (await sso.IsEnforcedAsync(username.Trim(), cancellationToken))
        {
            return Page(target, null, AccountPages.UseSingleSignOn, StatusCodes.Status400BadRequest);
        }

        var user = await users.FindByNameAsync(username) ?? await users.FindByEmailAsync(username);
        if (user is null || user.PasswordHash is null || await users.IsLockedOutAsync(user))
        {
            // Unknown and locked accounts fail like a wrong password, and take as long: Identity refuses a locked one
            // before it checks the password, so check one here, as a wrong password does. Saying why, or answering
            // faster, would tell anyone that the address has an account.
            users.PasswordHasher.VerifyHashedPassword(user ?? new User(), user?.PasswordHash ?? DummyHash.Value, password);
            return Page(target, username, FailedSignIn, StatusCodes.Status400BadRequest);
        }

        if (!await signIn.CanSignInAsync(user))
        {
            // Unconfirmed (Identity:RequireConfirmedEmail), which Identity says before it checks the password. Only the
            // right password learns it; a wrong one fails as any other, and counts towards the lockout.
            if (!await users.CheckPasswordAsync(user, password))
            {
                await users.AccessFailedAsync(user);
                return Page(target, username, FailedSignIn, StatusCodes.Status400BadRequest);
            }

            return Page(target, username, ConfirmEmailFirst, StatusCodes.Status400BadRequest);
        }

        // Signed in by user name, but the account's address is in an enforcing domain: only the right password learns that.
        if (await sso.IsEnforcedAsync(user.Email, cancellationToken))
        {
            return (await signIn.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true)).Succeeded
                ? Page(target, null, AccountPages.UseSingleSignOn, StatusCodes.Status400BadRequest)
                : Page(target, username, FailedSignIn, StatusCodes.Status400BadRequest);
        }

        var result = await signIn.PasswordSignInAsync(user, password, isPersistent: remember == true, lockoutOnFailure: true);
        if (result.RequiresTwoFactor)
        {
            // Identity has set its short-lived two-factor cookie naming the user; the second step reads it.
            return Results.LocalRedirect(QueryHelpers.AddQueryString(IdentityRoutes.LoginTwoFactor, new Dictionary<string, string?>
            {
                ["returnUrl"] = target,
                ["remember"] = remember == true ? "true" : null,
            }));
        }

        return result.Succeeded
            ? Results.LocalRedirect(target)
            : Page(target, username, FailedSignIn, StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> TwoFactorPageAsync(string? returnUrl, bool? remember, SignInManager<User> signIn)
    {
        var target = SafeReturnUrl(returnUrl);
        return await signIn.GetTwoFactorAuthenticationUserAsync() is null
            ? Results.LocalRedirect(QueryHelpers.AddQueryString(IdentityRoutes.Login, "returnUrl", target))
            : TwoFactorPage(target, remember == true, null);
    }

    /// <summary>
    /// Six digits are an authenticator code, anything else a recovery code (single use). Failures count
    /// towards the lockout like wrong passwords do. "Don't ask again" sets Identity's remember-browser cookie.
    /// </summary>
    private static async Task<IResult> TwoFactorSignInAsync(
        [FromForm] string? code, [FromForm] bool? remember, [FromForm] bool? rememberBrowser, [FromForm] string? returnUrl,
        SignInManager<User> signIn)
    {
        var target = SafeReturnUrl(returnUrl);
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is null)
        {
            return Results.LocalRedirect(QueryHelpers.AddQueryString(IdentityRoutes.Login, "returnUrl", target));
        }

        var entered = string.Concat((code ?? "").Where(c => !char.IsWhiteSpace(c))).ToUpperInvariant();
        if (entered.Length is 0 or > 32)
        {
            return TwoFactorPage(target, remember == true, WrongCode, StatusCodes.Status400BadRequest);
        }

        var result = entered.Length == 6 && entered.All(char.IsAsciiDigit)
            ? await signIn.TwoFactorAuthenticatorSignInAsync(entered, isPersistent: remember == true, rememberClient: rememberBrowser == true)
            : await signIn.TwoFactorRecoveryCodeSignInAsync(entered.Length == 10 ? entered.Insert(5, "-") : entered);
        if (result.Succeeded)
        {
            return Results.LocalRedirect(target);
        }

        return TwoFactorPage(target, remember == true, result.IsLockedOut ? FailedSignIn : WrongCode, StatusCodes.Status400BadRequest);
    }

    private const string WrongCode = "That code is not valid. Check the time on your device, or use a recovery code.";

    private static RazorComponentResult<LoginTwoFactorPage> TwoFactorPage(string returnUrl, bool remember, string? error, int status = StatusCodes.Status200OK) =>
        new(new { ReturnUrl = returnUrl, Remember = remember, Error = error }) { StatusCode = status };

    /// <summary>
    /// Only a path on this site may be returned to: never another origin (open redirect). The framework's own test,
    /// the one <see cref="Results.LocalRedirect"/> applies, so a URL that passes here never fails the redirect
    /// (a tab or other control character, which browsers drop, turning "/\t/evil" into "//evil"). Without one, the
    /// signed-in user's own account page: the platform has no page at "/".
    /// </summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        RedirectHttpResult.IsLocalUrl(returnUrl) ? returnUrl! : IdentityRoutes.Manage;

    private static RazorComponentResult<LoginPage> Page(string returnUrl, string? userName, string? error, int status = StatusCodes.Status200OK) =>
        new(new { ReturnUrl = returnUrl, UserName = userName, Error = error }) { StatusCode = status };

    private static readonly Lazy<string> DummyHash = new(() => new PasswordHasher<User>().HashPassword(new User(), Guid.NewGuid().ToString()));
}
