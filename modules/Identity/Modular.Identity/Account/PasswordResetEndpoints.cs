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
using Modular.Identity.Federation;

namespace Modular.Identity.Account;

/// <summary>
/// Forgotten password: a link by email, then a new password. The request answers the same for known and
/// unknown addresses; the link's token dies with the password change (Identity renews the security stamp).
/// </summary>
internal static class PasswordResetEndpoints
{
    public static void MapPasswordResetEndpoints(this RouteGroupBuilder account)
    {
        account.MapGet("/forgot-password", () => ForgotPage(null, []));
        account.MapPost("/forgot-password", RequestResetAsync).RequireAntiforgery();
        account.MapGet("/reset-password", (string? userId, string? code) => Guid.TryParse(userId, out _) && code is { Length: > 0 }
            ? AccountPages.Render<ResetPasswordPage>(new { UserId = userId, Code = code })
            : InvalidLink());
        account.MapPost("/reset-password", ResetAsync).RequireAntiforgery();
    }

    private static async Task<IResult> RequestResetAsync(
        [FromForm] string? email, HttpContext http, AccountEmails mails, IOptions<IdentitySettings> settings, SsoDirectory sso)
    {
        email = email?.Trim();
        if (!AccountPages.IsEmail(email))
        {
            return ForgotPage(email, ["Enter a valid email address."], StatusCodes.Status400BadRequest);
        }

        // Said for the domain, whether or not the address has an account: it tells nothing about the address.
        if (await sso.IsEnforcedAsync(email, http.RequestAborted))
        {
            return ForgotPage(email, [AccountPages.UseSingleSignOn], StatusCodes.Status400BadRequest);
        }

        // Whether the address has an account is found out after the answer, so the answer takes the same either way.
        // Unconfirmed accounts get the link too: it goes to the address, so using it proves the address (see ResetAsync).
        var origin = AccountPages.Origin(http, settings.Value);
        mails.Enqueue(OutgoingEmailKinds.PasswordReset, async services =>
        {
            var users = services.GetRequiredService<UserManager<User>>();
            if (await users.FindByEmailAsync(email!) is { } user)
            {
                await SendResetLinkAsync(services, origin, user);
            }
        });

        return AccountPages.Message("Check your email",
            $"If {email} belongs to an account, we have sent it a link to choose a new password.",
            IdentityRoutes.Login, "Back to sign in");
    }

    private static async Task<IResult> ResetAsync(
        [FromForm] string? userId, [FromForm] string? code, [FromForm] string? password, [FromForm] string? confirmPassword,
        UserManager<User> users, SsoDirectory sso, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(userId, out var id) || code is not { Length: > 0 } || await users.FindByIdAsync(id.ToString()) is not { } user)
        {
            return InvalidLink();
        }

        if (await sso.IsEnforcedAsync(user.Email, cancellationToken))
        {
            return AccountPages.Message("Sign in with single sign-on", AccountPages.UseSingleSignOn, IdentityRoutes.Login, "Sign in", StatusCodes.Status400BadRequest);
        }

        var errors = await AccountPages.CheckNewPasswordAsync(users, user, password, confirmPassword);
        if (errors.Count == 0)
        {
            var result = await users.ResetPasswordAsync(user, code, password!);
            if (result.Succeeded)
            {
                if (!user.EmailConfirmed)
                {
                    // The link came by email: whoever used it owns the address.
                    await users.ConfirmEmailAsync(user, await users.GenerateEmailConfirmationTokenAsync(user));
                }

                return AccountPages.Message("Password changed", "Your password has been changed. Sign in with the new one.", IdentityRoutes.Login, "Sign in");
            }

            if (result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.InvalidToken)))
            {
                return InvalidLink();
            }

            errors = AccountPages.Describe(result);
        }

        return AccountPages.Render<ResetPasswordPage>(new { UserId = userId, Code = code, Errors = errors }, StatusCodes.Status400BadRequest);
    }

    /// <summary>Mails <paramref name="user"/> a link to choose a new password; runs in an <see cref="AccountEmails"/> scope.</summary>
    public static async Task SendResetLinkAsync(IServiceProvider services, string origin, User user)
    {
        var code = await services.GetRequiredService<UserManager<User>>().GeneratePasswordResetTokenAsync(user);
        var link = AccountPages.Link(origin, IdentityRoutes.ResetPassword, new Dictionary<string, string?> { ["userId"] = user.Id.ToString(), ["code"] = code });
        await services.GetRequiredService<IEmailSender<User>>().SendPasswordResetLinkAsync(user, user.Email!, link);
    }

    private static IResult InvalidLink() =>
        AccountPages.Message("Link not valid", "This password reset link is not valid, has expired or has been used. Ask for a new one.",
            IdentityRoutes.ForgotPassword, "Ask for a new link", StatusCodes.Status400BadRequest);

    private static IResult ForgotPage(string? email, IReadOnlyList<string> errors, int status = StatusCodes.Status200OK) =>
        AccountPages.Render<EmailRequestPage>(new
        {
            Title = "Forgot your password?",
            Intro = "Enter your email address; we send you a link to choose a new password.",
            Action = IdentityRoutes.ForgotPassword,
            Button = "Send reset link",
            Email = email,
            Errors = errors,
        }, status);
}
