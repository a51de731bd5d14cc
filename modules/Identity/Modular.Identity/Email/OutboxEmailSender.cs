using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;

namespace Modular.Identity.Email;

/// <summary>
/// The account emails (ASP.NET Core Identity's <see cref="IEmailSender{TUser}"/>): each is written to the
/// <c>outgoing_emails</c> table first, then handed to the configured <see cref="IEmailDelivery"/> (the log,
/// or an SMTP server). A delivery failure is recorded, never shown to the visitor: the pages answer the
/// same whatever happens to the mail, so they cannot be used to probe for accounts.
/// </summary>
internal sealed partial class OutboxEmailSender(IdentityDbContext db, IEmailDelivery delivery, TimeProvider clock, ILogger<OutboxEmailSender> logger)
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

    private async Task SendAsync(string to, string subject, string kind, string htmlBody)
    {
        var email = OutgoingEmail.Create(to, subject, htmlBody, kind, clock.GetUtcNow());
        db.OutgoingEmails.Add(email);
        await db.SaveChangesAsync();
        try
        {
            await delivery.DeliverAsync(email, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            email.MarkFailed();
            LogDeliveryFailed(logger, e, email.Id, email.Kind);
        }

        await db.SaveChangesAsync();
    }

    private static string Greeting(User user) => user.DisplayName.Length > 0 ? " " + Encode(user.DisplayName) : "";

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);

    [LoggerMessage(Level = LogLevel.Error, Message = "Email {EmailId} ({Kind}) could not be delivered; it stays in the outbox as failed")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, Guid emailId, string kind);
}
