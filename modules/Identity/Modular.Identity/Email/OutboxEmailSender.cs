using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Modular.Identity.Configuration;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;

namespace Modular.Identity.Email;

/// <summary>
/// The account emails (ASP.NET Core Identity's <see cref="IEmailSender{TUser}"/>): each is written to the
/// <c>outgoing_emails</c> table first, then handed to the configured <see cref="IEmailDelivery"/> (the log,
/// or an SMTP server). A delivery failure is recorded, never shown to the visitor: the pages answer the
/// same whatever happens to the mail, so they cannot be used to probe for accounts.
/// </summary>
internal sealed partial class OutboxEmailSender(
    IdentityDbContext db, IEmailDelivery delivery, IOptions<AccountSettings> settings, TimeProvider clock, ILogger<OutboxEmailSender> logger)
    : IEmailSender<User>
{
    public Task SendConfirmationLinkAsync(User user, string email, string confirmationLink) =>
        SendAsync(email, "Confirm your email address", OutgoingEmailKinds.ConfirmEmail,
            $"<p>Hello{Greeting(user)},</p><p>Confirm that this is your email address by opening this link:</p><p><a href=\"{Encode(confirmationLink)}\">Confirm my email address</a></p><p>If you did not ask for this, ignore this email.</p>");

    public Task SendPasswordResetLinkAsync(User user, string email, string resetLink) =>
        SendAsync(email, "Reset your password", OutgoingEmailKinds.PasswordReset,
            $"<p>Hello{Greeting(user)},</p><p>Choose a new password by opening this link:</p><p><a href=\"{Encode(resetLink)}\">Reset my password</a></p><p>If you did not ask for this, ignore this email: your password stays as it is.</p>");

    public Task SendPasswordResetCodeAsync(User user, string email, string resetCode) =>
        SendAsync(email, "Your password reset code", OutgoingEmailKinds.PasswordReset,
            $"<p>Hello{Greeting(user)},</p><p>Your password reset code is <strong>{Encode(resetCode)}</strong>.</p><p>If you did not ask for this, ignore this email.</p>");

    /// <summary>An invitation to join <paramref name="tenant"/>; the link carries the invitation's token, so it is the invitee's alone.</summary>
    public Task SendInvitationAsync(string email, string tenant, string acceptLink) =>
        SendAsync(email, $"You are invited to join {tenant}", OutgoingEmailKinds.Invitation,
            $"<p>Hello,</p><p>You are invited to join <strong>{Encode(tenant)}</strong>. Open this link to accept, signed in with this email address (or create an account with it):</p><p><a href=\"{Encode(acceptLink)}\">Accept the invitation</a></p><p>If you did not expect this, ignore this email.</p>");

    public Task SendConnectLoginLinkAsync(User user, string email, string provider, string confirmLink) =>
        SendAsync(email, $"Connect {provider} to your account", OutgoingEmailKinds.ConnectLogin,
            $"<p>Hello{Greeting(user)},</p><p>Someone signed in with <strong>{Encode(provider)}</strong> using this email address. Open this link to let that {Encode(provider)} account sign in to yours:</p><p><a href=\"{Encode(confirmLink)}\">Connect {Encode(provider)}</a></p><p>If this was not you, ignore this email: nothing changes.</p>");

    private async Task SendAsync(string to, string subject, string kind, string htmlBody)
    {
        var now = clock.GetUtcNow();
        // Version 7 ids start with their creation time, so "since an hour ago" is an id range on both providers.
        var hourAgo = Guid.CreateVersion7(now.AddHours(-1));
        if (await db.OutgoingEmails.CountAsync(e => e.To == to && e.Id.CompareTo(hourAgo) > 0) >= settings.Value.Email.MaxPerAddressPerHour)
        {
            LogThrottled(logger, kind);
            return;
        }

        var email = OutgoingEmail.Create(to, subject, htmlBody, kind, now);
        db.OutgoingEmails.Add(email);
        await db.CommitAsync(CancellationToken.None);
        try
        {
            await delivery.DeliverAsync(email, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            email.MarkFailed();
            LogDeliveryFailed(logger, e, email.Id, email.Kind);
        }

        await db.CommitAsync(CancellationToken.None);
    }

    private static string Greeting(User user) => user.DisplayName.Length > 0 ? " " + Encode(user.DisplayName) : "";

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An account email ({Kind}) was dropped: its address had reached Identity:Email:MaxPerAddressPerHour")]
    private static partial void LogThrottled(ILogger logger, string kind);

    [LoggerMessage(Level = LogLevel.Error, Message = "Email {EmailId} ({Kind}) could not be delivered; it stays in the outbox as failed")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, Guid emailId, string kind);
}
