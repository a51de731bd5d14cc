using System.Net.Mail;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Modular.Identity.Configuration;
using Modular.Identity.Domain;

namespace Modular.Identity.Account;

/// <summary>What the account endpoints share: rendering a page, the links mailed out, checks on typed input.</summary>
internal static class AccountPages
{
    public const int MaxEmailLength = OutgoingEmail.AddressMaxLength;
    public const int MaxPasswordLength = 256;

    public static RazorComponentResult<TPage> Render<TPage>(object parameters, int status = StatusCodes.Status200OK)
        where TPage : IComponent => new(parameters) { StatusCode = status };

    public static RazorComponentResult<MessagePage> Message(string title, string message, string? linkHref = null, string? linkText = null, int status = StatusCodes.Status200OK) =>
        Render<MessagePage>(new { Title = title, Message = message, LinkHref = linkHref, LinkText = linkText }, status);

    /// <summary>
    /// Every form posts an antiforgery token. The middleware only records its verdict, and minimal APIs act on
    /// it when they bind a form field; the button-only forms (turn 2FA off...) have none, so this filter refuses
    /// their forged posts itself.
    /// </summary>
    public static TBuilder RequireAntiforgery<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequireAntiforgeryTokenAttribute()).AddEndpointFilter(async (context, next) =>
            context.HttpContext.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false }
                ? Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "The form's antiforgery token is missing or not valid.")
                : await next(context));

    /// <summary>
    /// Where the links in an email point: the configured issuer when there is one, not the request's Host header
    /// (a forged Host would otherwise mail a victim a reset link to the attacker's site). Read during the request;
    /// the mail itself is made later (<see cref="AccountEmails"/>).
    /// </summary>
    public static string Origin(HttpContext http, IdentitySettings settings) =>
        settings.Issuer is { } issuer
            ? issuer.GetLeftPart(UriPartial.Authority) + issuer.AbsolutePath.TrimEnd('/')
            : $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";

    /// <summary>
    /// The origin for the links of a mail a handler queues: this request's (<see cref="Origin(HttpContext, IdentitySettings)"/>),
    /// else the configured issuer.
    /// </summary>
    public static string Origin(IHttpContextAccessor http, IdentitySettings settings) =>
        http.HttpContext is { } context
            ? Origin(context, settings)
            : settings.Issuer?.GetLeftPart(UriPartial.Path).TrimEnd('/')
              ?? throw new InvalidOperationException("Mails sent outside a request need Identity:Issuer for their links.");

    /// <summary>An absolute link for an email, under <paramref name="origin"/> (<see cref="Origin"/>).</summary>
    public static string Link(string origin, string path, IDictionary<string, string?> query) => origin + QueryHelpers.AddQueryString(path, query);

    public static bool IsEmail(string? email) =>
        email is { Length: > 0 and <= MaxEmailLength } && MailAddress.TryCreate(email, out var parsed) && parsed.Address == email;

    /// <summary>What an address whose organisation enforces single sign-on is told when it tries a password instead.</summary>
    public const string UseSingleSignOn =
        "Your organisation signs you in with single sign-on. Enter your email address on the sign-in page to continue to its provider.";

    public const string WrongCurrentPassword = "Your current password is not correct.";

    /// <summary>Re-checks the signed-in user's password before a change that weakens the account; failures count towards the lockout.</summary>
    public static async Task<bool> IsCurrentPasswordAsync(SignInManager<User> signIn, User user, string? password) =>
        password is { Length: > 0 and <= MaxPasswordLength } && (await signIn.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true)).Succeeded;

    public static List<string> Describe(IdentityResult result) => [.. result.Errors.Select(e => e.Description)];

    /// <summary>The password rules (length, character classes), checked before anything looks the account up.</summary>
    public static async Task<List<string>> CheckNewPasswordAsync(UserManager<User> users, User user, string? password, string? confirmation)
    {
        if (string.IsNullOrEmpty(password))
        {
            return ["Enter a password."];
        }

        if (password.Length > MaxPasswordLength)
        {
            return [$"Use at most {MaxPasswordLength} characters."];
        }

        var errors = new List<string>();
        foreach (var validator in users.PasswordValidators)
        {
            errors.AddRange(Describe(await validator.ValidateAsync(users, user, password)));
        }

        if (password != confirmation)
        {
            errors.Add("The two passwords differ.");
        }

        return errors;
    }
}
