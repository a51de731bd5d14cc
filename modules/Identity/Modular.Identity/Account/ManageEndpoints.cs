using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Modular.Identity.Configuration;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;

namespace Modular.Identity.Account;

/// <summary>The signed-in user's own account: change password, change email (confirmed by a link to the new address).</summary>
internal static class ManageEndpoints
{
    /// <summary>Outcomes named in the redirect after a change; only these texts can appear (no reflected input).</summary>
    private static readonly Dictionary<string, string> Notices = new()
    {
        ["password-changed"] = "Your password has been changed.",
        ["email-sent"] = "We have sent a confirmation link to the new address. Your email changes when you open it.",
    };

    public static void MapManageEndpoints(this IEndpointRouteBuilder root)
    {
        // Signed-in users only; without the cookie the policy scheme sends the browser to the sign-in page.
        var manage = root.MapGroup(IdentityRoutes.Manage).RequireAuthorization().ExcludeFromDescription();
        manage.MapGet("/", ShowAsync);
        manage.MapPost("/password", ChangePasswordAsync).RequireAntiforgery();
        manage.MapPost("/email", ChangeEmailAsync).RequireAntiforgery();
        manage.MapTwoFactorEndpoints();
    }

    /// <summary>
    /// The link in the email-change mail: may be opened in any browser, signed in or not. Opening it only shows a
    /// button (mail scanners open links); its post changes the address.
    /// </summary>
    public static void MapEmailChangeConfirmation(this RouteGroupBuilder account)
    {
        account.MapGet("/confirm-email-change", (string? userId, string? email, string? code) =>
            Guid.TryParse(userId, out _) && AccountPages.IsEmail(email) && code is { Length: > 0 }
                ? AccountPages.Render<ConfirmLinkPage>(new
                {
                    Title = "Confirm your new email",
                    Message = $"Confirm that {email} is your new email address.",
                    Action = IdentityRoutes.ConfirmEmailChange,
                    Button = "Confirm my new email address",
                    Fields = (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { ["userId"] = userId!, ["email"] = email!, ["code"] = code },
                })
                : InvalidEmailChangeLink());
        account.MapPost("/confirm-email-change", ConfirmEmailChangeAsync).RequireAntiforgery();
    }

    private static async Task<IResult> ShowAsync(string? done, ClaimsPrincipal principal, UserManager<User> users) =>
        await users.GetUserAsync(principal) is { } user
            ? Page(user, done is not null && Notices.TryGetValue(done, out var notice) ? notice : null)
            : Results.Challenge();

    private static async Task<IResult> ChangePasswordAsync(
        [FromForm] string? currentPassword, [FromForm] string? newPassword, [FromForm] string? confirmPassword,
        ClaimsPrincipal principal, UserManager<User> users, SignInManager<User> signIn)
    {
        if (await users.GetUserAsync(principal) is not { } user)
        {
            return Results.Challenge();
        }

        var errors = string.IsNullOrEmpty(currentPassword) ? ["Enter your current password."] : await AccountPages.CheckNewPasswordAsync(users, user, newPassword, confirmPassword);
        if (errors.Count == 0)
        {
            var result = await users.ChangePasswordAsync(user, currentPassword!, newPassword!);
            if (result.Succeeded)
            {
                await signIn.RefreshSignInAsync(user); // the security stamp changed: keep this session, others end at their next check
                return Results.LocalRedirect(IdentityRoutes.Manage + "?done=password-changed");
            }

            errors = AccountPages.Describe(result);
        }

        return Page(user, null, passwordErrors: errors);
    }

    private static async Task<IResult> ChangeEmailAsync(
        [FromForm] string? newEmail, [FromForm] string? currentPassword, HttpContext http, ClaimsPrincipal principal,
        UserManager<User> users, SignInManager<User> signIn, AccountEmails mails, IOptions<IdentitySettings> settings)
    {
        if (await users.GetUserAsync(principal) is not { } user)
        {
            return Results.Challenge();
        }

        // A new address is the way to a password reset: a borrowed session alone must not be enough.
        if (!await AccountPages.IsCurrentPasswordAsync(signIn, user, currentPassword))
        {
            return Page(user, null, emailErrors: [AccountPages.WrongCurrentPassword]);
        }

        newEmail = newEmail?.Trim();
        if (!AccountPages.IsEmail(newEmail))
        {
            return Page(user, null, emailErrors: ["Enter a valid email address."]);
        }

        if (string.Equals(newEmail, user.Email, StringComparison.OrdinalIgnoreCase))
        {
            return Page(user, null, emailErrors: ["That is already your email address."]);
        }

        // Whether the address is taken shows only when the link is opened, by its owner. The mail leaves after the
        // answer, like every account mail (AccountEmails).
        var origin = AccountPages.Origin(http, settings.Value);
        var userId = user.Id;
        mails.Enqueue(OutgoingEmailKinds.ConfirmEmail, async services =>
        {
            var accounts = services.GetRequiredService<UserManager<User>>();
            if (await accounts.FindByIdAsync(userId.ToString()) is { } account)
            {
                var code = await accounts.GenerateChangeEmailTokenAsync(account, newEmail!);
                var link = AccountPages.Link(origin, IdentityRoutes.ConfirmEmailChange,
                    new Dictionary<string, string?> { ["userId"] = account.Id.ToString(), ["email"] = newEmail, ["code"] = code });
                await services.GetRequiredService<IEmailSender<User>>().SendConfirmationLinkAsync(account, newEmail!, link);
            }
        });
        return Results.LocalRedirect(IdentityRoutes.Manage + "?done=email-sent");
    }

    private static async Task<IResult> ConfirmEmailChangeAsync([FromForm] string? userId, [FromForm] string? email, [FromForm] string? code, UserManager<User> users)
    {
        if (Guid.TryParse(userId, out var id) && AccountPages.IsEmail(email) && code is { Length: > 0 }
            && await users.FindByIdAsync(id.ToString()) is { } user)
        {
            var previous = user.Email;
            if ((await users.ChangeEmailAsync(user, email!, code)).Succeeded)
            {
                // Accounts registered here sign in with their address as user name: it follows the address.
                if (string.Equals(user.UserName, previous, StringComparison.OrdinalIgnoreCase))
                {
                    await users.SetUserNameAsync(user, email);
                }

                return AccountPages.Message("Email changed", $"Your email address is now {email}.", IdentityRoutes.Manage, "Back to your account");
            }
        }

        return InvalidEmailChangeLink();
    }

    private static IResult InvalidEmailChangeLink() =>
        AccountPages.Message("Link not valid", "This link is not valid, has expired, or the address is already in use.",
            IdentityRoutes.Manage, "Back to your account", StatusCodes.Status400BadRequest);

    private static IResult Page(User user, string? notice, IReadOnlyList<string>? passwordErrors = null, IReadOnlyList<string>? emailErrors = null) =>
        AccountPages.Render<ManagePage>(new
        {
            Email = user.Email ?? user.UserName ?? "",
            TwoFactorEnabled = user.TwoFactorEnabled,
            Notice = notice,
            PasswordErrors = passwordErrors ?? [],
            EmailErrors = emailErrors ?? [],
        }, passwordErrors is { Count: > 0 } || emailErrors is { Count: > 0 } ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK);
}
