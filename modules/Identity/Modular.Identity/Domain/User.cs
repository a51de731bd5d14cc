using Microsoft.AspNetCore.Identity;
using Modular.Kernel.Tenancy;

namespace Modular.Identity.Domain;

/// <summary>A person who signs in. Belongs to tenants through <see cref="Membership"/>s.</summary>
[PlatformWide("A person signs in once and may belong to many tenants; memberships are the tenant-owned part.")]
public sealed class User : IdentityUser<Guid>
{
    public const int DisplayNameMaxLength = 200;

    public string DisplayName { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// The tenant the user chose last (a tenant switcher, an app's <c>tenant</c> parameter): where a sign-in that names
    /// none lands, while the user still belongs to it. A preference, not a grant: membership is checked every time.
    /// </summary>
    public Guid? PreferredTenantId { get; set; }
}

/// <summary>Platform-wide roles (e.g. platform-admin), held by users; tenant roles live on memberships.</summary>
[PlatformWide("Roles are defined once for the platform and granted per tenant through memberships.")]
public sealed class Role : IdentityRole<Guid>
{
}
