using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Federation;

namespace Modular.Identity.Account;

/// <summary>
/// The signed-in user's sign-ins through other services: the list, connecting GitHub, Google or Microsoft (a challenge
/// that comes back to <see cref="ExternalSignInEndpoints"/> for this user only), and removing one. An organisation's
/// single sign-on is listed but not removable here: its provider makes it again at the next sign-in.
/// </summary>
internal static class ExternalLoginsEndpoints
{
    public const string LastWayToSignIn = "This is the only way you can sign in. Set a password or add a passkey before you remove it.";

    /// <summary>Outcomes named in the redirect after a change; only these texts can appear (no reflected input).</summary>
    private static readonly Dictionary<string, string> Notices = new()
    {
        ["connected"] = "Connected: you can now sign in with it.",
        ["removed"] = "Removed: it no longer signs you in.",
    };

    public static void MapExternalLoginsEndpoints(this IEndpointRouteBuilder root)
    {
        // The mailed link: opening it only shows a button (mail scanners open links); its post connects.
        root.MapGet(IdentityRoutes.ConfirmExternalLogin, (string? userId, string? provider, string? key, string? code) =>
            Guid.TryParse(userId, out _) && SocialProviders.All.Any(p => p.Name == provider) && key is { Length: > 0 } && code is { Length: > 0 }
                ? AccountPages.Render<ConfirmLinkPage>(new
                {
                    Title = $"Connect {provider}",
                    Message = $"Let the {provider} account you signed in with sign in to this account.",
                    Action = IdentityRoutes.ConfirmExternalLogin,
                    Button = $"Connect {provider}",
                    Fields = (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { ["userId"] = userId!, ["provider"] = provider!, ["key"] = key, ["code"] = code },
                })
                : InvalidLink()).AllowAnonymous().ExcludeFromDescription();
        root.MapPost(IdentityRoutes.ConfirmExternalLogin, ConfirmAsync).AllowAnonymous().RequireAntiforgery().ExcludeFromDescription();

        var logins = root.MapGroup(IdentityRoutes.ExternalLogins).RequireAuthorization().ExcludeFromDescription();
        logins.MapGet("/", ShowAsync);
        logins.MapPost("/connect", ConnectAsync).RequireAntiforgery();
        logins.MapPost("/remove", RemoveAsync).RequireAntiforgery();
    }

    /// <summary>
    /// Connects the login the link names, if the link's token was made for this account, this login, and the account's
    /// current security stamp (a password change or reset since voids it), and the login is nobody else's.
    /// </summary>
    private static async Task<IResult> ConfirmAsync(
        [FromForm] string? userId, [FromForm] string? provider, [FromForm] string? key, [FromForm] string? code,
        UserManager<User> users, SocialProviders social, SsoDirectory sso, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(userId, out var id) || social.Find(provider) is not { } found || key is not { Length: > 0 and <= 128 } || code is not { Length: > 0 and <= 2048 }
            || await users.FindByIdAsync(id.ToString()) is not { } user
            || !await users.VerifyUserTokenAsync(user, TokenOptions.DefaultProvider, SocialSignIn.LinkPurpose(found.Name, key), code))
        {
            return InvalidLink();
        }

        if (await sso.IsEnforcedAsync(user.Email, cancellationToken))
        {
            return AccountPages.Message("Single sign-on only", AccountPages.UseSingleSignOn, IdentityRoutes.Login, "Go to sign in", StatusCodes.Status400BadRequest);
        }

        // Connected meanwhile (from the account page, or a second click) is fine; another account's login is not taken over.
        var holder = await users.FindByLoginAsync(found.Name, key);
        if (holder is not null ? holder.Id != user.Id : !(await users.AddLoginAsync(user, new UserLoginInfo(found.Name, key, found.Name))).Succeeded)
        {
            return InvalidLink();
        }

        return AccountPages.Message($"{found.Name} connected", $"Your {found.Name} account now signs you in here. Continue with {found.Name} on the sign-in page.",
            IdentityRoutes.Login, "Sign in");
    }

    private static IResult InvalidLink() =>
        AccountPages.Message("Link not valid", "This link is not valid or has expired. Continue with the service on the sign-in page again for a new one.",
            IdentityRoutes.Login, "Go to sign in", StatusCodes.Status400BadRequest);

    private static async Task<IResult> ShowAsync(string? done, ClaimsPrincipal principal, UserManager<User> users, IServiceProvider services) =>
        await users.GetUserAsync(principal) is { } user
            ? await PageAsync(services, user, done is not null && Notices.TryGetValue(done, out var notice) ? notice : null)
            : Results.Challenge();

    private static async Task<IResult> ConnectAsync([FromForm] string? provider, ClaimsPrincipal principal, UserManager<User> users, SocialProviders social, IServiceProvider services)
    {
        if (await users.GetUserAsync(principal) is not { } user)
        {
            return Results.Challenge();
        }

        return social.Find(provider) is { } found
            ? ExternalSignInEndpoints.Challenge(found, IdentityRoutes.ExternalLogins, linkTo: user.Id)
            : await PageAsync(services, user, null, ["Choose one of the services offered."], StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> RemoveAsync(
        [FromForm] string? loginProvider, [FromForm] string? providerKey, ClaimsPrincipal principal, UserManager<User> users, SignInManager<User> signIn, IServiceProvider services)
    {
        if (await users.GetUserAsync(principal) is not { } user)
        {
            return Results.Challenge();
        }

        var logins = await users.GetLoginsAsync(user);
        var login = logins.FirstOrDefault(l => l.LoginProvider == loginProvider && l.ProviderKey == providerKey && IsSocial(l));
        if (login is null)
        {
            return await PageAsync(services, user, null, ["That sign-in is not one of yours, or cannot be removed here."], StatusCodes.Status404NotFound);
        }

        // Removing the last way in would leave an account nobody can open (a password reset needs one to exist).
        if (user.PasswordHash is null && logins.Count == 1 && (await users.GetPasskeysAsync(user)).Count == 0)
        {
            return await PageAsync(services, user, null, [LastWayToSignIn], StatusCodes.Status400BadRequest);
        }

        var removed = await users.RemoveLoginAsync(user, login.LoginProvider, login.ProviderKey);
        if (!removed.Succeeded)
        {
            return await PageAsync(services, user, null, AccountPages.Describe(removed), StatusCodes.Status400BadRequest);
        }

        await signIn.RefreshSignInAsync(user); // the security stamp changed: keep this session
        return Results.LocalRedirect(IdentityRoutes.ExternalLogins + "?done=removed");
    }

    private static bool IsSocial(UserLoginInfo login) => SocialProviders.All.Any(p => p.Name == login.LoginProvider);

    public static async Task<IResult> PageAsync(IServiceProvider services, User user, string? notice, IReadOnlyList<string>? errors = null, int status = StatusCodes.Status200OK)
    {
        var logins = await services.GetRequiredService<UserManager<User>>().GetLoginsAsync(user);
        var offered = services.GetRequiredService<SocialProviders>().Configured;
        return AccountPages.Render<ExternalLoginsPage>(new
        {
            Logins = logins.Select(l => new ExternalLoginsPage.Row(l.LoginProvider, l.ProviderKey, l.ProviderDisplayName ?? l.LoginProvider, IsSocial(l))).ToList(),
            Connectable = offered.Where(p => !logins.Any(l => l.LoginProvider == p.Name)).Select(p => p.Name).ToList(),
            Notice = notice,
            Errors = errors ?? [],
        }, status);
    }
}
