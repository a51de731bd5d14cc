using Microsoft.AspNetCore.Identity;

namespace Modular.Identity.Domain;

/// <summary>A person who signs in. Belongs to tenants through <see cref="Membership"/>s.</summary>
public sealed class User : IdentityUser<Guid>
{
    public const int DisplayNameMaxLength = 200;

    public string DisplayName { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Platform-wide roles (e.g. platform-admin), held by users; tenant roles live on memberships.</summary>
public sealed class Role : IdentityRole<Guid>
{
}
