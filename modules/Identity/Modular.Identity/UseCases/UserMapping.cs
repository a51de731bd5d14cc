using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;

namespace Modular.Identity.UseCases;

/// <summary>A user as the use cases answer: a list row, or the whole account with its roles and memberships.</summary>
internal static class UserMapping
{
    public static UserSummaryDto ToSummary(this User user, DateTimeOffset now) => new(
        user.Id, user.Email ?? "", user.DisplayName, user.EmailConfirmed, user.TwoFactorEnabled,
        user.LockoutEnd is { } end && end > now ? end : null, user.CreatedAt);

    public static async Task<UserDto> DescribeAsync(this IdentityDbContext db, UserManager<User> users, User user, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var memberships = await db.Memberships.AsNoTracking().Where(m => m.UserId == user.Id).OrderBy(m => m.CreatedAt).ToListAsync(cancellationToken);
        var passkeys = await db.Set<IdentityUserPasskey<Guid>>().CountAsync(p => p.UserId == user.Id, cancellationToken);
        var summary = user.ToSummary(now);
        return new UserDto(
            user.Id, summary.Email, user.DisplayName, user.EmailConfirmed, user.TwoFactorEnabled, summary.LockedOutUntil, user.AccessFailedCount,
            user.CreatedAt, [.. await users.GetRolesAsync(user)], [.. memberships.Select(m => new MembershipDto(m.TenantId, m.Roles, m.CreatedAt))], passkeys);
    }
}
