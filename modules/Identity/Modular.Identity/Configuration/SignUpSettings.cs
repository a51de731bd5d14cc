namespace Modular.Identity.Configuration;

/// <summary>
/// <c>Identity:SignUp</c>: whether visitors make their own organisations. <c>open</c>: anyone signs up at
/// <c>/account/sign-up</c> (an account and a tenant they own, active once the email is confirmed); <c>invite-only</c>
/// (the default): people join tenants by invitation only, and accounts are registered as <c>Identity:AllowRegistration</c>
/// says; <c>closed</c>: nobody signs up or registers: operators create users and tenants.
/// </summary>
internal sealed class SignUpSettings
{
    public const string Open = "open", InviteOnly = "invite-only", Closed = "closed";

    public string Mode { get; set; } = InviteOnly;

    /// <summary>The plan a signed-up tenant starts on; unset: the tenants module's default.</summary>
    public string? Plan { get; set; }

    /// <summary>Sign-ups one email address may start per <see cref="AddressWindow"/>: one mailbox cannot be flooded.</summary>
    public int PerAddressLimit { get; set; } = 3;

    public TimeSpan AddressWindow { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Sign-up attempts one client address may make per <see cref="ClientWindow"/>: one host cannot squat slugs.</summary>
    public int PerClientLimit { get; set; } = 10;

    public TimeSpan ClientWindow { get; set; } = TimeSpan.FromHours(1);

    public bool IsOpen => string.Equals(Mode, Open, StringComparison.OrdinalIgnoreCase);

    public bool IsClosed => string.Equals(Mode, Closed, StringComparison.OrdinalIgnoreCase);

    public bool IsKnownMode => IsOpen || IsClosed || string.Equals(Mode, InviteOnly, StringComparison.OrdinalIgnoreCase);
}
