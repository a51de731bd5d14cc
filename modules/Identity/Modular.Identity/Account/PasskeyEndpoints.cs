using System.Buffers.Text;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Federation;
using Modular.Identity.Limits;

namespace Modular.Identity.Account;

/// <summary>
/// Passkeys (WebAuthn) with ASP.NET Core Identity's own ceremony: <see cref="SignInManager{TUser}"/> makes the options,
/// keeps the challenge in its short-lived two-factor cookie and verifies what the browser answers; this file only adds
/// the pages and the account's rules. The browser's side (<c>navigator.credentials</c>) is <c>wwwroot/passkeys.js</c>,
/// so without script no passkey button shows and the password form works as before.
/// </summary>
internal static class PasskeyEndpoints
{
    /// <summary>One answer for an unknown or removed passkey, a locked account and an unconfirmed one, as for passwords.</summary>
    public const string FailedSignIn = "That passkey did not sign you in. It may have been removed from its account, or the account is locked or not confirmed yet.";

    public const string LastWayToSignIn = "This passkey is the only way you can sign in. Add another passkey before you remove this one.";

    public const int MaxNameLength = 100;

    /// <summary>A credential's JSON is a few kilobytes (an attestation with its certificates, the most); anything far larger is not one.</summary>
    private const int MaxCredentialJsonLength = 64 * 1024;

    private const string NotVerified = "The passkey could not be added: your browser's answer was not valid, or took too long. Try again.";

    /// <summary>Outcomes named in the redirect after a change; only these texts can appear (no reflected input).</summary>
    private static readonly Dictionary<string, string> Notices = new()
    {
        ["added"] = "Your passkey has been added. Next time, choose \"Use a passkey\" on the sign-in page.",
        ["renamed"] = "Your passkey has been renamed.",
        ["removed"] = "Your passkey has been removed.",
    };

    public static void MapPasskeyEndpoints(this IEndpointRouteBuilder root)
    {
        // Signed-in users only: registering, and the list under /account/manage.
        root.MapPost(IdentityRoutes.PasskeyCreationOptions, CreationOptionsAsync).RequireAuthorization().RequireAntiforgery().ExcludeFromDescription();
        var passkeys = root.MapGroup(IdentityRoutes.Passkeys).RequireAuthorization().ExcludeFromDescription();
        passkeys.MapGet("/", ShowAsync);
        passkeys.MapPost("/", AddAsync).RequireAntiforgery();
        passkeys.MapPost("/rename", RenameAsync).RequireAntiforgery();
        passkeys.MapPost("/remove", RemoveAsync).RequireAntiforgery();

        // Anyone, for signing in; limited like the password form (a refused sign-in counts against the caller's address).
        // The antiforgery check comes first, as the password form's binding does: a form that failed it may not be read.
        root.MapPost(IdentityRoutes.PasskeyRequestOptions, RequestOptionsAsync).AllowAnonymous().RequireAntiforgery().LimitFailedLogins().ExcludeFromDescription();
        root.MapPost(IdentityRoutes.LoginWithPasskey, SignInAsync).AllowAnonymous().RequireAntiforgery().LimitFailedLogins().ExcludeFromDescription();
    }

    private static async Task<IResult> CreationOptionsAsync(ClaimsPrincipal principal, UserManager<User> users, SignInManager<User> signIn)
    {
        if (await users.GetUserAsync(principal) is not { } user)
        {
            return Results.Challenge();
        }

        var email = user.Email ?? user.UserName ?? "";
        var options = await signIn.MakePasskeyCreationOptionsAsync(new PasskeyUserEntity
        {
            Id = await users.GetUserIdAsync(user),
            Name = email,
            DisplayName = string.IsNullOrWhiteSpace(user.DisplayName) ? email : user.DisplayName,
        });
        return TypedResults.Content(options, "application/json");
    }

    /// <summary>Options for any passkey of this site (discoverable credentials): the user is not asked for an email first.</summary>
    private static async Task<IResult> RequestOptionsAsync(SignInManager<User> signIn) =>
        TypedResults.Content(await signIn.MakePasskeyRequestOptionsAsync(user: null), "application/json");

    private static async Task<IResult> ShowAsync(string? done, ClaimsPrincipal principal, UserManager<User> users) =>
        await users.GetUserAsync(principal) is { } user
            ? await PageAsync(users, user, done is not null && Notices.TryGetValue(done, out var notice) ? notice : null)
            : Results.Challenge();

    private static async Task<IResult> AddAsync(
        [FromForm] string? credentialJson, [FromForm] string? name, ClaimsPrincipal principal, UserManager<User> users, SignInManager<User> signIn, TimeProvider clock)
    {
        if (await users.GetUserAsync(principal) is not { } user)
        {
            return Results.Challenge();
        }

        var attestation = IsCredential(credentialJson) ? await AttestAsync(signIn, credentialJson!) : null;
        // The ceremony is the one this user started: the options named them (a browser's cookie could hold another's).
        if (attestation is not { Succeeded: true } || attestation.UserEntity.Id != await users.GetUserIdAsync(user))
        {
            return await PageAsync(users, user, null, addErrors: [NotVerified]);
        }

        // A credential id is the authenticator's; one another account holds is refused, never moved over.
        var passkey = attestation.Passkey;
        if (await users.FindByPasskeyIdAsync(passkey.CredentialId) is { } holder && holder.Id != user.Id)
        {
            return await PageAsync(users, user, null, addErrors: [NotVerified]);
        }

        passkey.Name = CleanName(name) ?? $"Passkey added on {clock.GetUtcNow():d MMMM yyyy}";
        var saved = await users.AddOrUpdatePasskeyAsync(user, passkey);
        return saved.Succeeded
            ? Results.LocalRedirect(IdentityRoutes.Passkeys + "?done=added")
            : await PageAsync(users, user, null, addErrors: AccountPages.Describe(saved));
    }

    private static async Task<IResult> RenameAsync([FromForm] string? credentialId, [FromForm] string? name, ClaimsPrincipal principal, UserManager<User> users)
    {
        if (await users.GetUserAsync(principal) is not { } user)
        {
            return Results.Challenge();
        }

        if (await FindOwnAsync(users, user, credentialId) is not { } passkey)
        {
            return await PageAsync(users, user, null, listErrors: [NotYours], status: StatusCodes.Status404NotFound);
        }

        if (CleanName(name) is not { } newName)
        {
            return await PageAsync(users, user, null, listErrors: ["Enter a name for the passkey."]);
        }

        passkey.Name = newName;
        var saved = await users.AddOrUpdatePasskeyAsync(user, passkey);
        return saved.Succeeded
            ? Results.LocalRedirect(IdentityRoutes.Passkeys + "?done=renamed")
            : await PageAsync(users, user, null, listErrors: AccountPages.Describe(saved));
    }

    private static async Task<IResult> RemoveAsync([FromForm] string? credentialId, ClaimsPrincipal principal, UserManager<User> users, SignInManager<User> signIn)
    {
        if (await users.GetUserAsync(principal) is not { } user)
        {
            return Results.Challenge();
        }

        if (await FindOwnAsync(users, user, credentialId) is not { } passkey)
        {
            return await PageAsync(users, user, null, listErrors: [NotYours], status: StatusCodes.Status404NotFound);
        }

        // Removing the last way in would leave an account nobody can open (a password reset needs one to exist).
        var others = (await users.GetPasskeysAsync(user)).Count - 1;
        if (user.PasswordHash is null && others == 0 && (await users.GetLoginsAsync(user)).Count == 0)
        {
            return await PageAsync(users, user, null, listErrors: [LastWayToSignIn]);
        }

        var removed = await users.RemovePasskeyAsync(user, passkey.CredentialId);
        if (!removed.Succeeded)
        {
            return await PageAsync(users, user, null, listErrors: AccountPages.Describe(removed));
        }

        await signIn.RefreshSignInAsync(user); // the security stamp changed: keep this session
        return Results.LocalRedirect(IdentityRoutes.Passkeys + "?done=removed");
    }

    /// <summary>
    /// Signs in like the password form does, without a user name: the credential names its account. Identity refuses
    /// locked and unconfirmed accounts after the signature check, skips two-factor (a user-verified passkey is two
    /// factors itself) and makes a session cookie (not persistent). A failed assertion counts against the caller's
    /// address only (<see cref="FailedLoginLimit"/>): no account is known to count it against.
    /// </summary>
    private static async Task<IResult> SignInAsync(
        [FromForm] string? credentialJson, [FromForm] string? returnUrl, SignInManager<User> signIn, SsoDirectory sso, CancellationToken cancellationToken)
    {
        var target = AccountEndpoints.SafeReturnUrl(returnUrl);
        if (IsCredential(credentialJson) && await CeremonyAsync(() => signIn.PasskeySignInAsync(credentialJson!)) is { Succeeded: true })
        {
            // An organisation that enforces single sign-on makes its provider the only way in, passkeys included.
            if (await signIn.UserManager.FindByPasskeyIdAsync(CredentialId(credentialJson!)) is { } user && await sso.IsEnforcedAsync(user.Email, cancellationToken))
            {
                await signIn.SignOutAsync();
                return AccountPages.Render<LoginPage>(new { ReturnUrl = target, Error = AccountPages.UseSingleSignOn }, StatusCodes.Status400BadRequest);
            }

            return Results.LocalRedirect(target);
        }

        return AccountPages.Render<LoginPage>(new { ReturnUrl = target, Error = FailedSignIn }, StatusCodes.Status400BadRequest);
    }

    private static Task<PasskeyAttestationResult?> AttestAsync(SignInManager<User> signIn, string credentialJson) =>
        CeremonyAsync(() => signIn.PerformPasskeyAttestationAsync(credentialJson));

    /// <summary>
    /// Identity throws <see cref="InvalidOperationException"/> when no ceremony is under way: its cookie expired, was
    /// dropped, or was used already (it is read once). For the caller that is a refused answer, not a server error.
    /// </summary>
    private static async Task<T?> CeremonyAsync<T>(Func<Task<T>> step)
        where T : class
    {
        try
        {
            return await step();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private const string NotYours = "That passkey is not one of yours.";

    private static async Task<UserPasskeyInfo?> FindOwnAsync(UserManager<User> users, User user, string? credentialId) =>
        credentialId is { Length: > 0 and <= 2048 } && Base64Url.IsValid(credentialId)
            ? await users.GetPasskeyAsync(user, Base64Url.DecodeFromChars(credentialId))
            : null;

    /// <summary>The credential's id, from the assertion Identity has just verified.</summary>
    private static byte[] CredentialId(string credentialJson)
    {
        using var credential = System.Text.Json.JsonDocument.Parse(credentialJson);
        return Base64Url.DecodeFromChars(credential.RootElement.GetProperty("id").GetString());
    }

    private static bool IsCredential(string? json) => json is { Length: > 0 and <= MaxCredentialJsonLength };

    private static string? CleanName(string? name) =>
        name?.Trim() is { Length: > 0 } trimmed ? trimmed[..Math.Min(trimmed.Length, MaxNameLength)] : null;

    private static async Task<IResult> PageAsync(
        UserManager<User> users, User user, string? notice, IReadOnlyList<string>? addErrors = null, IReadOnlyList<string>? listErrors = null, int? status = null)
    {
        var passkeys = (await users.GetPasskeysAsync(user))
            .OrderBy(p => p.CreatedAt)
            .Select(p => new PasskeysPage.Row(Base64Url.EncodeToString(p.CredentialId), p.Name ?? "Passkey", p.CreatedAt, p.IsBackedUp))
            .ToList();
        var failed = addErrors is { Count: > 0 } || listErrors is { Count: > 0 };
        return AccountPages.Render<PasskeysPage>(new
        {
            Passkeys = passkeys,
            Notice = notice,
            AddErrors = addErrors ?? [],
            ListErrors = listErrors ?? [],
        }, status ?? (failed ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK));
    }
}
