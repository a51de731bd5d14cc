using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Domain;

namespace Modular.Identity.Account;

/// <summary>Server-rendered sign-in and sign-out: plain forms, antiforgery-checked, no JavaScript needed.</summary>
internal static class AccountEndpoints
{
    public const string LoginPath = "/account/login";
    public const string LogoutPath = "/account/logout";
    public const string AccessDeniedPath = "/account/denied";

    /// <summary>One answer for an unknown user, a wrong password and a locked account: nothing to learn from it.</summary>
    public const string FailedSignIn = "The user name or password is incorrect, or the account is locked. Try again later.";

    public static void MapAccountEndpoints(this IEndpointRouteBuilder root)
    {
        var account = root.MapGroup("/account").AllowAnonymous().ExcludeFromDescription();
        account.MapGet("/login", (string? returnUrl) => Page(SafeReturnUrl(returnUrl), null, null));
        account.MapPost("/login", SignInAsync);
        account.MapPost("/logout", async (SignInManager<User> signIn) =>
        {
            await signIn.SignOutAsync();
            return Results.LocalRedirect("/");
        });
        account.MapGet("/denied", () => Results.Problem(statusCode: StatusCodes.Status403Forbidden, detail: "Your account may not use this page."));
    }

    private static async Task<IResult> SignInAsync(
        [FromForm] string? username, [FromForm] string? password, [FromForm] bool? remember, [FromForm] string? returnUrl,
        SignInManager<User> signIn, UserManager<User> users)
    {
        var target = SafeReturnUrl(returnUrl);
        if (string.IsNullOrWhiteSpace(username) || string.IsNullOrEmpty(password))
        {
            return Page(target, username, FailedSignIn, StatusCodes.Status400BadRequest);
        }

        var user = await users.FindByNameAsync(username) ?? await users.FindByEmailAsync(username);
        if (user is null)
        {
            // Spend the time a password check would, so timing does not tell unknown users apart.
            users.PasswordHasher.VerifyHashedPassword(new User(), DummyHash.Value, password);
            return Page(target, username, FailedSignIn, StatusCodes.Status400BadRequest);
        }

        var result = await signIn.PasswordSignInAsync(user, password, isPersistent: remember == true, lockoutOnFailure: true);
        return result.Succeeded
            ? Results.LocalRedirect(target)
            : Page(target, username, FailedSignIn, StatusCodes.Status400BadRequest);
    }

    /// <summary>Only a path on this site may be returned to: never another origin (open redirect).</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) ? url : "/";

    private static RazorComponentResult<LoginPage> Page(string returnUrl, string? userName, string? error, int status = StatusCodes.Status200OK) =>
        new(new { ReturnUrl = returnUrl, UserName = userName, Error = error }) { StatusCode = status };

    private static readonly Lazy<string> DummyHash = new(() => new PasswordHasher<User>().HashPassword(new User(), Guid.NewGuid().ToString()));
}
