using Modular.Kernel.Tenancy;

namespace Modular.Identity.Domain;

/// <summary>
/// A visitor's sign-up: the account it made and the tenant that account owns, waiting for the email to be confirmed.
/// Kept for operators to see who signed up, from where, and whether they finished.
/// </summary>
[PlatformWide("Operators list sign-ups across tenants; the rows go with their tenant on TenantPurged.")]
public sealed class SignUp
{
    public const int AddressMaxLength = 64;

    /// <summary>As the tenants module allows: a tenant's name and slug (a DNS label).</summary>
    public const int OrganizationNameMaxLength = 200, SlugMaxLength = 63;

    private SignUp()
    {
    }

    public Guid Id { get; private set; }

    public Guid UserId { get; private set; }

    public Guid TenantId { get; private set; }

    public string Email { get; private set; } = "";

    public string OrganizationName { get; private set; } = "";

    public string Slug { get; private set; } = "";

    /// <summary>The client address the sign-up came from.</summary>
    public string? ClientAddress { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>When the email was confirmed and the tenant started serving; null while pending.</summary>
    public DateTimeOffset? ActivatedAt { get; private set; }

    public static SignUp Create(Guid userId, Guid tenantId, string email, string organizationName, string slug, string? clientAddress, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        UserId = userId,
        TenantId = tenantId,
        Email = email,
        OrganizationName = organizationName,
        Slug = slug,
        ClientAddress = clientAddress?[..Math.Min(clientAddress.Length, AddressMaxLength)],
        CreatedAt = now,
    };

    public void Activate(DateTimeOffset now) => ActivatedAt ??= now;
}
