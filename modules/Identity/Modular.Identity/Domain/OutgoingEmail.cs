using Modular.Kernel.Tenancy;

namespace Modular.Identity.Domain;

/// <summary>
/// An email the platform sent (or, without an SMTP server, only recorded): the local outbox an
/// operator reads in the admin console to answer "did the confirmation mail go out?".
/// </summary>
[PlatformWide("Account emails go to people, not tenants: sign-up, confirmation and password reset come before any membership.")]
public sealed class OutgoingEmail
{
    public const int AddressMaxLength = 256;
    public const int SubjectMaxLength = 200;
    public const int KindMaxLength = 40;

    private OutgoingEmail()
    {
    }

    public Guid Id { get; private set; }

    public string To { get; private set; } = "";

    public string Subject { get; private set; } = "";

    /// <summary>The HTML body; cleared once a real server delivered it (its links are the recipient's alone).</summary>
    public string? HtmlBody { get; private set; }

    /// <summary>What the mail is for, one of <see cref="OutgoingEmailKinds"/>.</summary>
    public string Kind { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    public OutgoingEmailStatus Status { get; private set; }

    public DateTimeOffset? SentAt { get; private set; }

    public static OutgoingEmail Create(string to, string subject, string htmlBody, string kind, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        To = to,
        Subject = subject,
        HtmlBody = htmlBody,
        Kind = kind,
        CreatedAt = now,
        Status = OutgoingEmailStatus.Pending,
    };

    /// <summary>No mail server is configured: the log and this row are the only copies.</summary>
    public void MarkLogged() => Status = OutgoingEmailStatus.Logged;

    public void MarkSent(DateTimeOffset now)
    {
        Status = OutgoingEmailStatus.Sent;
        SentAt = now;
        HtmlBody = null;
    }

    public void MarkFailed() => Status = OutgoingEmailStatus.Failed;
}

public enum OutgoingEmailStatus
{
    Pending,
    Logged,
    Sent,
    Failed,
}

internal static class OutgoingEmailKinds
{
    public const string ConfirmEmail = "confirm-email";
    public const string PasswordReset = "password-reset";
    public const string Invitation = "invitation";

    /// <summary>A link that connects a provider's login (GitHub, Google...) to the account the mail reaches.</summary>
    public const string ConnectLogin = "connect-login";
}
