using System.Security.Cryptography;
using Modular.Kernel.Tenancy;

namespace Modular.Identity.Domain;

/// <summary>
/// An email domain a tenant claims for one of its connections. Only a verified domain routes sign-ins, and a domain is
/// verified for one tenant at most (a unique index over verified rows): pending claims by several tenants may coexist,
/// since anyone may type anything, but only the one who proves ownership gets it.
/// </summary>
public sealed class SsoDomain : ITenantOwned
{
    public const int DomainMaxLength = 253;
    public const int VerifiedByMaxLength = 200;

    /// <summary>The DNS name whose TXT record proves ownership: <c>_modular-verify.&lt;domain&gt;</c>.</summary>
    public const string RecordPrefix = "_modular-verify.";

    private SsoDomain()
    {
    }

    public Guid Id { get; private set; }

    public Guid TenantId { get; private set; }

    public Guid ConnectionId { get; private set; }

    /// <summary>Lower case, ASCII (an internationalised name in its punycode form).</summary>
    public string Domain { get; private set; } = "";

    public string VerificationToken { get; private set; } = "";

    public DateTimeOffset? VerifiedAt { get; private set; }

    /// <summary><c>dns</c>, or the operator who vouched for it.</summary>
    public string? VerifiedBy { get; private set; }

    public bool IsVerified => VerifiedAt is not null;

    public string RecordName => RecordPrefix + Domain;

    public string RecordValue => $"modular-verification={VerificationToken}";

    public static SsoDomain Claim(Guid tenantId, Guid connectionId, string domain, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        TenantId = tenantId,
        ConnectionId = connectionId,
        Domain = domain,
        VerificationToken = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
    };

    public void Verify(string by, DateTimeOffset now)
    {
        VerifiedAt = now;
        VerifiedBy = by.Length > VerifiedByMaxLength ? by[..VerifiedByMaxLength] : by;
    }
}
