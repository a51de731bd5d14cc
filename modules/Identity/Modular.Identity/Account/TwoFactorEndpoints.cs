using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Modular.Identity.Configuration;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using QRCoder;

namespace Modular.Identity.Account;

/// <summary>
/// TOTP two-factor authentication with Identity's authenticator token provider: set up with a shared key
/// (also as an otpauth:// link and a QR code drawn here, so no script or third party sees the key), turned
/// on by a first valid code, with single-use recovery codes shown once.
/// </summary>
internal static class TwoFactorEndpoints
{
    private const int RecoveryCodeCount = 10;

    public static void MapTwoFactorEndpoints(this RouteGroupBuilder manage)
    {
        manage.MapGet("/two-factor", (string? done, ClaimsPrincipal principal, UserManager<User> users, IOptions<AccountSettings> settings) =>
            WithUserAsync(principal, users, user => PageAsync(users, settings.Value, user, null, done == "off" ? "Two-factor authentication is off." : null)));
        manage.MapPost("/two-factor/enable", EnableAsync).RequireAntiforgery();
        manage.MapPost("/two-factor/recovery-codes", (HttpContext http, ClaimsPrincipal principal, UserManager<User> users) =>
            WithUserAsync(principal, users, async user => user.TwoFactorEnabled
                ? await RecoveryCodesAsync(http, users, user)
                : Results.LocalRedirect(IdentityRoutes.TwoFactor))).RequireAntiforgery();
        manage.MapPost("/two-factor/disable", ([FromForm] string? currentPassword, ClaimsPrincipal principal, UserManager<User> users, SignInManager<User> signIn, IOptions<AccountSettings> settings) =>
            WithUserAsync(principal, users, async user =>
            {
                if (!await AccountPages.IsCurrentPasswordAsync(signIn, user, currentPassword))
                {
                    return await PageAsync(users, settings.Value, user, AccountPages.WrongCurrentPassword);
                }

                await users.SetTwoFactorEnabledAsync(user, false);
                await signIn.ForgetTwoFactorClientAsync();
                await signIn.RefreshSignInAsync(user);
                return Results.LocalRedirect(IdentityRoutes.TwoFactor + "?done=off");
            })).RequireAntiforgery();
        manage.MapPost("/two-factor/reset", ([FromForm] string? currentPassword, ClaimsPrincipal principal, UserManager<User> users, SignInManager<User> signIn, IOptions<AccountSettings> settings) =>
            WithUserAsync(principal, users, async user =>
            {
                if (!await AccountPages.IsCurrentPasswordAsync(signIn, user, currentPassword))
                {
                    return await PageAsync(users, settings.Value, user, AccountPages.WrongCurrentPassword);
                }

                // A new key invalidates the old app's codes; two-factor stays off until the new app proves itself.
                await users.SetTwoFactorEnabledAsync(user, false);
                await users.ResetAuthenticatorKeyAsync(user);
                await signIn.ForgetTwoFactorClientAsync();
                await signIn.RefreshSignInAsync(user);
                return Results.LocalRedirect(IdentityRoutes.TwoFactor);
            })).RequireAntiforgery();
    }

    private static async Task<IResult> EnableAsync(
        [FromForm] string? code, HttpContext http, ClaimsPrincipal principal, UserManager<User> users, SignInManager<User> signIn, IOptions<AccountSettings> settings)
    {
        if (await users.GetUserAsync(principal) is not { } user)
        {
            return Results.Challenge();
        }

        var entered = string.Concat((code ?? "").Where(char.IsAsciiDigit));
        if (entered.Length != 6 || !await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, entered))
        {
            return await PageAsync(users, settings.Value, user, "That code is not valid. Check the time on your device and try the newest code.");
        }

        await users.SetTwoFactorEnabledAsync(user, true);
        await signIn.RefreshSignInAsync(user);
        return await RecoveryCodesAsync(http, users, user);
    }

    private static async Task<IResult> RecoveryCodesAsync(HttpContext http, UserManager<User> users, User user)
    {
        var codes = await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount);
        http.Response.Headers.CacheControl = "no-store"; // shown once: not from a cache, not from the back button
        return AccountPages.Render<RecoveryCodesPage>(new { Codes = codes?.ToList() ?? [] });
    }

    private static async Task<IResult> PageAsync(UserManager<User> users, AccountSettings settings, User user, string? error, string? notice = null)
    {
        if (user.TwoFactorEnabled)
        {
            return AccountPages.Render<TwoFactorPage>(new { Enabled = true, RecoveryCodesLeft = await users.CountRecoveryCodesAsync(user), Error = error, Notice = notice },
                error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
        }

        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            key = await users.GetAuthenticatorKeyAsync(user);
        }

        var uri = AuthenticatorUri(settings.AuthenticatorIssuer, user.Email ?? user.UserName ?? user.Id.ToString(), key!);
        return AccountPages.Render<TwoFactorPage>(new
        {
            Enabled = false,
            SharedKey = Grouped(key!),
            AuthenticatorUri = uri,
            QrCodeDataUri = "data:image/png;base64," + Convert.ToBase64String(QrPng(uri)),
            Error = error,
            Notice = notice,
        }, error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    /// <summary>The Key Uri Format authenticator apps read: otpauth://totp/Issuer:account?secret=...&amp;issuer=...</summary>
    public static string AuthenticatorUri(string issuer, string account, string key) =>
        $"otpauth://totp/{Uri.EscapeDataString(issuer)}:{Uri.EscapeDataString(account)}?secret={key}&issuer={Uri.EscapeDataString(issuer)}&digits=6";

    private static byte[] QrPng(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        return new PngByteQRCode(data).GetGraphic(5);
    }

    private static string Grouped(string key)
    {
        var grouped = new StringBuilder();
        for (var i = 0; i < key.Length; i += 4)
        {
            grouped.Append(key.AsSpan(i, Math.Min(4, key.Length - i))).Append(' ');
        }

        return grouped.ToString().TrimEnd().ToLowerInvariant();
    }

    private static async Task<IResult> WithUserAsync(ClaimsPrincipal principal, UserManager<User> users, Func<User, Task<IResult>> action) =>
        await users.GetUserAsync(principal) is { } user ? await action(user) : Results.Challenge();
}
