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

    /// <summary>
    /// A domain as stored and compared: lower case, no trailing dot, an internationalised name in its ASCII (punycode) form,
    /// at least two labels. Null when <paramref name="input"/> is not a host name.
    /// </summary>
    public static string? Normalize(string? input)
    {
        var trimmed = input?.Trim().TrimEnd('.');
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > DomainMaxLength)
        {
            return null;
        }

        string ascii;
        try
        {
            ascii = Idn.GetAscii(trimmed).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return null;
        }

        return ascii.Length <= DomainMaxLength && ascii.Contains('.') && Uri.CheckHostName(ascii) == UriHostNameType.Dns
            && ascii.Split('.').All(label => label.Length is > 0 and <= 63 && !label.StartsWith('-') && !label.EndsWith('-'))
            && !ascii.Split('.')[^1].All(char.IsAsciiDigit)
            ? ascii
            : null;
    }

    /// <summary>The normalised domain of an email address, or null.</summary>
    public static string? OfEmail(string? email) =>
        email?.LastIndexOf('@') is int at and > 0 && at < email.Length - 1 ? Normalize(email[(at + 1)..]) : null;

    private static readonly System.Globalization.IdnMapping Idn = new() { UseStd3AsciiRules = true };

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
