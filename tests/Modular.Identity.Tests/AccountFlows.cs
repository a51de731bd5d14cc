using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Modular.Identity.Account;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;

namespace Modular.Identity.Tests;

/// <summary>Steps of the account pages a browser would take, and the mailbox (the outbox table) they write to.</summary>
internal static partial class AccountFlows
{
    public const string NewPassword = "brand-New-passphrase-7";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Opens <paramref name="pageUrl"/> for its antiforgery token and posts <paramref name="fields"/> to <paramref name="action"/>.</summary>
    public static Task<HttpResponseMessage> PostAsync(HttpClient browser, string pageUrl, string action, params (string Name, string Value)[] fields) =>
        OidcHost.SubmitAsync(browser, pageUrl, action, fields.ToDictionary(f => f.Name, f => f.Value));

    /// <summary>Posts without the antiforgery token, as a forged cross-site form would.</summary>
    public static Task<HttpResponseMessage> PostWithoutTokenAsync(HttpClient browser, string action, params (string Name, string Value)[] fields) =>
        browser.PostAsync(action, new FormUrlEncodedContent(fields.ToDictionary(f => f.Name, f => f.Value)), Ct);

    public static Task<string> TextAsync(this HttpResponseMessage response) => response.Content.ReadAsStringAsync(Ct);

    /// <summary>Waits until every account email queued so far has been sent: they leave after the answer, in order.</summary>
    public static async Task EmailsSentAsync(OidcHost oidc)
    {
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        oidc.Host.Services.GetRequiredService<AccountEmails>().Enqueue("test", _ =>
        {
            sent.SetResult();
            return Task.CompletedTask;
        });
        await sent.Task.WaitAsync(Ct);
    }

    /// <summary>The mailbox once the emails queued so far have been sent.</summary>
    public static async Task<List<OutgoingEmail>> EmailsToAsync(OidcHost oidc, string to)
    {
        await EmailsSentAsync(oidc);
        await using var scope = oidc.Host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        return await db.OutgoingEmails.AsNoTracking().Where(e => e.To == to).OrderByDescending(e => e.Id).ToListAsync(Ct);
    }

    /// <summary>The link in the newest email to <paramref name="to"/>, as a path and query on this host.</summary>
    public static async Task<string> LinkInLatestEmailAsync(OidcHost oidc, string to, string kind)
    {
        var email = Assert.Single((await EmailsToAsync(oidc, to)).Take(1));
        Assert.Equal(kind, email.Kind);
        Assert.Equal(OutgoingEmailStatus.Logged, email.Status);
        var href = HrefPattern().Match(email.HtmlBody!);
        Assert.True(href.Success, "the email should carry a link");
        var link = new Uri(WebUtility.HtmlDecode(href.Groups[1].Value));
        Assert.Equal("localhost", link.Host);
        return link.PathAndQuery;
    }

    /// <summary>Opens a mailed link and presses its page's button, as its owner does (opening it alone changes nothing).</summary>
    public static async Task<HttpResponseMessage> ConfirmThroughLinkAsync(HttpClient browser, string link)
    {
        var page = await browser.GetAsync(link, Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.TextAsync();
        var action = FormActionPattern().Match(html);
        Assert.True(action.Success, "the link's page should have a form");
        return await browser.PostAsync(WebUtility.HtmlDecode(action.Groups[1].Value), new FormUrlEncodedContent(OidcHost.HiddenFields(html)), Ct);
    }

    public static async Task<HttpResponseMessage> RegisterAsync(HttpClient browser, string email, string password = OidcHost.Password, string? confirmation = null) =>
        await PostAsync(browser, IdentityRoutes.Register, IdentityRoutes.Register,
            ("email", email), ("displayName", "New User"), ("password", password), ("confirmPassword", confirmation ?? password));

    /// <summary>An RFC 6238 code (HMAC-SHA1, 30-second steps, six digits) for a base32 key, as an authenticator app computes it.</summary>
    public static string Totp(string base32Key, long stepOffset = 0)
    {
        var step = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30 + stepOffset;
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        var hash = HMACSHA1.HashData(Base32(base32Key), counter);
        var offset = hash[^1] & 0x0f;
        var value = (BinaryPrimitives.ReadInt32BigEndian(hash.AsSpan(offset)) & 0x7fffffff) % 1_000_000;
        return value.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Six digits that no step near now produces: certainly wrong.</summary>
    public static string WrongTotp(string base32Key)
    {
        var near = Enumerable.Range(-4, 9).Select(offset => Totp(base32Key, offset)).ToHashSet();
        return Enumerable.Range(0, 10).Select(d => new string((char)('0' + d), 6)).First(code => !near.Contains(code));
    }

    private static byte[] Base32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bits = 0;
        var buffer = 0;
        var bytes = new List<byte>();
        foreach (var c in text.ToUpperInvariant().Where(c => c is not (' ' or '=')))
        {
            buffer = (buffer << 5) | alphabet.IndexOf(c);
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                bytes.Add((byte)(buffer >> bits));
            }
        }

        return [.. bytes];
    }

    [GeneratedRegex("href=\"([^\"]+)\"")]
    private static partial Regex HrefPattern();

    [GeneratedRegex("<form method=\"post\" action=\"([^\"]+)\"")]
    private static partial Regex FormActionPattern();
}
