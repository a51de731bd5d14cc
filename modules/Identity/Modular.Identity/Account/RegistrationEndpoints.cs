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
/// Registration and email confirmation. Registering an address that already has an account answers
/// exactly like a new one (and, if that account is unconfirmed, mails a link to choose its password):
/// the form cannot be used to find out who has an account.
/// </summary>
internal static class RegistrationEndpoints
{
    public static void MapRegistrationEndpoints(this RouteGroupBuilder account)
    {
        account.MapGet("/register", (string? email) => AccountPages.Render<RegisterPage>(new { Email = email })).AddEndpointFilter(WhenRegistrationIsOpen);
        account.MapPost("/register", RegisterAsync).AddEndpointFilter(WhenRegistrationIsOpen).RequireAntiforgery();
        // Opening the mailed link only shows a button (mail scanners open links); its post confirms.
        account.MapGet("/confirm-email", (string? userId, string? code) => Guid.TryParse(userId, out _) && code is { Length: > 0 }
            ? AccountPages.Render<ConfirmLinkPage>(new
            {
                Title = "Confirm your email",
                Message = "Confirm that this email address is yours to finish setting up your account.",
                Action = IdentityRoutes.ConfirmEmail,
                Button = "Confirm my email address",
                Fields = (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { ["userId"] = userId!, ["code"] = code },
            })
            : InvalidConfirmationLink());
        account.MapPost("/confirm-email", ConfirmAsync).RequireAntiforgery();
        account.MapGet("/resend-confirmation", () => ResendPage(null, []));
        account.MapPost("/resend-confirmation", Resend).RequireAntiforgery();
    }

    private static async ValueTask<object?> WhenRegistrationIsOpen(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.RequestServices.GetRequiredService<IOptions<AccountSettings>>().Value.RegistrationOpen
            ? await next(context)
            : Results.NotFound();

    private static async Task<IResult> RegisterAsync(
        [FromForm] string? email, [FromForm] string? displayName, [FromForm] string? password, [FromForm] string? confirmPassword,
        HttpContext http, UserManager<User> users, AccountEmails mails, IOptions<IdentitySettings> settings, SsoDirectory sso, TimeProvider clock)
    {
        email = email?.Trim();
        displayName = displayName?.Trim() ?? "";
        var user = new User { UserName = email, Email = email, DisplayName = displayName, CreatedAt = clock.GetUtcNow() };
        var errors = new List<string>();
        if (!AccountPages.IsEmail(email))
        {
            errors.Add("Enter a valid email address.");
        }
        else if (await sso.IsEnforcedAsync(email, http.RequestAborted))
        {
            errors.Add(AccountPages.UseSingleSignOn);
        }

        if (displayName.Length > User.DisplayNameMaxLength)
        {
            errors.Add($"Use at most {User.DisplayNameMaxLength} characters for your name.");
        }

        errors.AddRange(await AccountPages.CheckNewPasswordAsync(users, user, password, confirmPassword));
        if (errors.Count > 0)
        {
            return AccountPages.Render<RegisterPage>(new { Email = email, DisplayName = displayName, Errors = errors }, StatusCodes.Status400BadRequest);
        }

        // Both branches hash the password and queue a mail (sent, or not, after the answer): the time taken must not
        // tell a taken address from a new one.
        var origin = AccountPages.Origin(http, settings.Value);
        if (await users.FindByEmailAsync(email!) is { } existing)
        {
            users.PasswordHasher.HashPassword(user, password!); // what creating the account costs
            MailExistingAccount(mails, origin, existing.Id);
        }
        else
        {
            var created = await users.CreateAsync(user, password!);
            if (created.Succeeded)
            {
                var id = user.Id;
                mails.Enqueue(OutgoingEmailKinds.ConfirmEmail, async services =>
                {
                    if (await services.GetRequiredService<UserManager<User>>().FindByIdAsync(id.ToString()) is { } registered)
                    {
                        await SendConfirmationAsync(services, origin, registered);
                    }
                });
            }
            else if (created.Errors.Any(e => !e.Code.StartsWith("Duplicate", StringComparison.Ordinal)))
            {
                // E.g. characters a user name may not hold; a duplicate is answered like a success.
                return AccountPages.Render<RegisterPage>(new { Email = email, DisplayName = displayName, Errors = AccountPages.Describe(created) }, StatusCodes.Status400BadRequest);
            }
        }

        return AccountPages.Message("Check your email",
            $"We have sent a link to {email}. Open it to confirm your address, then sign in. Already have an account? Sign in, or reset your password.",
            IdentityRoutes.Login, "Go to sign in");
    }

    private static async Task<IResult> ConfirmAsync([FromForm] string? userId, [FromForm] string? code, UserManager<User> users, HttpContext http)
    {
        if (Guid.TryParse(userId, out var id) && code is { Length: > 0 } && await users.FindByIdAsync(id.ToString()) is { } user
            && (await users.ConfirmEmailAsync(user, code)).Succeeded)
        {
            var organization = await SignUpEndpoints.CompleteSignUpAsync(http.RequestServices, user.Id, http.RequestAborted);
            return AccountPages.Message("Email confirmed", organization is null
                ? "Thank you: your email address is confirmed. You can sign in now."
                : $"Thank you: your email address is confirmed and {organization} is ready. Sign in to start.", IdentityRoutes.Login, "Sign in");
        }

        return InvalidConfirmationLink();
    }

    private static IResult InvalidConfirmationLink() =>
        AccountPages.Message("Link not valid", "This confirmation link is not valid or has expired. Ask for a new one.",
            IdentityRoutes.ResendConfirmation, "Send a new confirmation link", StatusCodes.Status400BadRequest);

    private static IResult Resend([FromForm] string? email, HttpContext http, AccountEmails mails, IOptions<IdentitySettings> settings)
    {
        email = email?.Trim();
        if (!AccountPages.IsEmail(email))
        {
            return ResendPage(email, ["Enter a valid email address."], StatusCodes.Status400BadRequest);
        }

        // The account is looked up after the answer, which therefore takes the same for any address.
        var origin = AccountPages.Origin(http, settings.Value);
        mails.Enqueue(OutgoingEmailKinds.ConfirmEmail, async services =>
        {
            if (await services.GetRequiredService<UserManager<User>>().FindByEmailAsync(email!) is { EmailConfirmed: false } user)
            {
                await SendConfirmationAsync(services, origin, user);
            }
        });

        return AccountPages.Message("Check your email",
            $"If {email} belongs to an account that is not confirmed yet, we have sent it a new confirmation link.",
            IdentityRoutes.Login, "Back to sign in");
    }

    /// <summary>
    /// Someone registered (or signed up with) an address that has an account. If it is unconfirmed, that was perhaps its
    /// owner, perhaps someone pre-registering it to take the account over once the owner confirms: the owner gets a
    /// link to choose the password (which also confirms the address), never a link confirming a password a stranger
    /// chose. A confirmed account gets nothing.
    /// </summary>
    public static void MailExistingAccount(AccountEmails mails, string origin, Guid existingId) =>
        mails.Enqueue(OutgoingEmailKinds.PasswordReset, async services =>
        {
            if (await services.GetRequiredService<UserManager<User>>().FindByIdAsync(existingId.ToString()) is { EmailConfirmed: false } unconfirmed)
            {
                await PasswordResetEndpoints.SendResetLinkAsync(services, origin, unconfirmed);
            }
        });

    /// <summary>Mails <paramref name="user"/> the link confirming their address; runs in an <see cref="AccountEmails"/> scope.</summary>
    public static async Task SendConfirmationAsync(IServiceProvider services, string origin, User user)
    {
        var code = await services.GetRequiredService<UserManager<User>>().GenerateEmailConfirmationTokenAsync(user);
        var link = AccountPages.Link(origin, IdentityRoutes.ConfirmEmail, new Dictionary<string, string?> { ["userId"] = user.Id.ToString(), ["code"] = code });
        await services.GetRequiredService<IEmailSender<User>>().SendConfirmationLinkAsync(user, user.Email!, link);
    }

    private static IResult ResendPage(string? email, IReadOnlyList<string> errors, int status = StatusCodes.Status200OK) =>
        AccountPages.Render<EmailRequestPage>(new
        {
            Title = "Resend confirmation",
            Intro = "Enter the address you registered with; we send it a new confirmation link.",
            Action = IdentityRoutes.ResendConfirmation,
            Button = "Send link",
            Email = email,
            Errors = errors,
        }, status);
}
