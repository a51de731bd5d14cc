using System.Security.Cryptography;
using System.Text;
using Modular.Identity.Clients;
using Modular.Kernel.Tenancy;

namespace Modular.Identity.Domain;

/// <summary>
/// An invitation to join one tenant with some roles, mailed to an address. The link carries a secret token; only its
/// SHA-256 is stored, so the table alone lets nobody in. It is accepted once, by a signed-in user whose confirmed email
/// is the invited address; it may be revoked, or resent (a new token, the old link dead, a new expiry).
/// </summary>
public sealed class Invitation : ITenantOwned
{
    /// <summary>A SHA-256, hex.</summary>
    public const int TokenHashLength = 64;

    private Invitation()
    {
    }

    public Guid Id { get; private set; }

    public Guid TenantId { get; private set; }

    /// <summary>The address as the inviter typed it (trimmed), for the mail and the list.</summary>
    public string Email { get; private set; } = "";

    /// <summary>The address as Identity normalises emails: what an account's confirmed email is matched against.</summary>
    public string NormalizedEmail { get; private set; } = "";

    public List<string> Roles { get; private set; } = [];

    /// <summary>Who invited (the audit trail's actor: a user's name and subject, or a client).</summary>
    public string InvitedBy { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset ExpiresAt { get; private set; }

    /// <summary>Pending, accepted or revoked; a pending one past <see cref="ExpiresAt"/> is expired (by time, not by a write).</summary>
    public InvitationState State { get; private set; }

    public string TokenHash { get; private set; } = "";

    public Guid? AcceptedBy { get; private set; }

    public DateTimeOffset? AcceptedAt { get; private set; }

    public DateTimeOffset? RevokedAt { get; private set; }

    /// <summary>A new invitation and the token its link carries (returned here once, stored only as a hash).</summary>
    public static (Invitation Invitation, string Token) Create(
        Guid tenantId, string email, string normalizedEmail, IEnumerable<string> roles, string invitedBy, DateTimeOffset now, TimeSpan lifetime)
    {
        var invitation = new Invitation
        {
            Id = Guid.CreateVersion7(now),
            TenantId = tenantId,
            Email = email,
            NormalizedEmail = normalizedEmail,
            Roles = [.. roles.Distinct()],
            InvitedBy = invitedBy,
            CreatedAt = now,
            State = InvitationState.Pending,
        };
        return (invitation, invitation.NewToken(now, lifetime));
    }

    public bool IsExpired(DateTimeOffset now) => State == InvitationState.Pending && ExpiresAt <= now;

    public bool IsOpen(DateTimeOffset now) => State == InvitationState.Pending && ExpiresAt > now;

    /// <summary>Whether <paramref name="token"/> is this invitation's current one (compared in constant time).</summary>
    public bool HasToken(string token) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(token)), Encoding.ASCII.GetBytes(TokenHash));

    /// <summary>A new token and expiry: the link mailed before stops working.</summary>
    public string NewToken(DateTimeOffset now, TimeSpan lifetime)
    {
        var token = ClientRegistration.NewSecret();
        TokenHash = Hash(token);
        ExpiresAt = now + lifetime;
        return token;
    }

    public void Accept(Guid userId, DateTimeOffset now)
    {
        State = InvitationState.Accepted;
        AcceptedBy = userId;
        AcceptedAt = now;
    }

    public void Revoke(DateTimeOffset now)
    {
        State = InvitationState.Revoked;
        RevokedAt = now;
    }

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

public enum InvitationState
{
    Pending,
    Accepted,
    Revoked,
}
