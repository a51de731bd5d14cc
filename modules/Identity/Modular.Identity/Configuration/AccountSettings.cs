namespace Modular.Identity.Configuration;

/// <summary>
/// Account self-service switches, read from the <c>Identity</c> section beside <see cref="IdentitySettings"/>:
/// <c>Identity:AllowRegistration</c>, <c>Identity:RequireConfirmedEmail</c>, <c>Identity:Email:*</c>.
/// </summary>
internal sealed class AccountSettings
{
    /// <summary>Anyone may create an account at /account/register; off (or sign-up closed): those pages answer 404.</summary>
    public bool AllowRegistration { get; set; } = true;

    public SignUpSettings SignUp { get; set; } = new();

    public bool RegistrationOpen => AllowRegistration && !SignUp.IsClosed;

    /// <summary>
    /// Sign-in needs a confirmed email. On everywhere by default (Development too: the link is in the
    /// log and in the admin console's outbox); the seeded admin is created confirmed.
    /// </summary>
    public bool RequireConfirmedEmail { get; set; } = true;

    /// <summary>The name authenticator apps show beside the account.</summary>
    public string AuthenticatorIssuer { get; set; } = "Modular";

    public EmailSettings Email { get; set; } = new();
}

internal sealed class EmailSettings
{
    public string From { get; set; } = "no-reply@localhost";

    /// <summary>
    /// At most this many account emails to one address per hour; more are dropped (and logged), so the
    /// public forms cannot be used to flood someone's mailbox. The visitor sees the usual answer.
    /// </summary>
    public int MaxPerAddressPerHour { get; set; } = 5;

    /// <summary>Unset (no <c>Host</c>): mails are logged and kept in the outbox table, not sent.</summary>
    public SmtpSettings Smtp { get; set; } = new();
}

internal sealed class SmtpSettings
{
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public bool EnableSsl { get; set; } = true;

    public string? UserName { get; set; }

    public string? Password { get; set; }
}
