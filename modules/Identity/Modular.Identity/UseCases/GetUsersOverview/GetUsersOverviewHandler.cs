using Mediator;
using Microsoft.EntityFrameworkCore;
using Modular.Identity.Contracts;
using Modular.Identity.Persistence;
using OpenIddict.EntityFrameworkCore.Models;

namespace Modular.Identity.UseCases.GetUsersOverview;

public sealed class GetUsersOverviewHandler(IdentityDbContext db, TimeProvider clock) : IQueryHandler<Contracts.GetUsersOverview, UsersOverview>
{
    public async ValueTask<UsersOverview> Handle(Contracts.GetUsersOverview query, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var users = db.Users.AsNoTracking();
        var dayAgo = now.UtcDateTime.AddDays(-1);
        // Few accounts carry a lockout end at all; compared here, as SQLite stores it as text.
        var lockoutEnds = await users.Where(u => u.LockoutEnd != null).Select(u => u.LockoutEnd!.Value).ToListAsync(cancellationToken);
        return new UsersOverview(
            await users.CountAsync(cancellationToken),
            await users.CountAsync(u => !u.EmailConfirmed, cancellationToken),
            lockoutEnds.Count(end => end > now),
            await db.Set<OpenIddictEntityFrameworkCoreAuthorization<Guid>>().AsNoTracking().CountAsync(a => a.CreationDate >= dayAgo, cancellationToken));
    }
}
