using Mediator;
using Microsoft.EntityFrameworkCore;
using Modular.Identity.Persistence;

namespace Modular.Identity.UseCases.CountTenantMembers;

public sealed class CountTenantMembersHandler(IdentityDbContext db) : IQueryHandler<Contracts.CountTenantMembers, int>
{
    public async ValueTask<int> Handle(Contracts.CountTenantMembers query, CancellationToken cancellationToken) =>
        await db.Memberships.CountAsync(m => m.TenantId == query.TenantId, cancellationToken);
}
