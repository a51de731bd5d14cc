using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Identity.Contracts;
using Modular.Identity.Persistence;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;

namespace Modular.Identity.UseCases.ListTenantMembers;

public sealed class ListTenantMembersHandler(IdentityDbContext db, ITenantContext scope) : IQueryHandler<Contracts.ListTenantMembers, TenantMemberPage>
{
    public async ValueTask<TenantMemberPage> Handle(Contracts.ListTenantMembers query, CancellationToken cancellationToken)
    {
        var tenantId = scope.CurrentTenantId();
        var members =
            from membership in db.Memberships.AsNoTracking()
            join user in db.Users.AsNoTracking() on membership.UserId equals user.Id
            where membership.TenantId == tenantId
            select new { membership, user };
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var search = query.Search.Trim().ToUpperInvariant();
            members = members.Where(m => m.user.NormalizedEmail!.Contains(search) || m.user.DisplayName.ToUpper().Contains(search));
        }

        var total = await members.CountAsync(cancellationToken);
        var page = await members
            .OrderBy(m => m.membership.CreatedAt).ThenBy(m => m.membership.Id)
            .Skip((query.Page - 1) * query.PageSize)
            .Take(query.PageSize)
            .ToListAsync(cancellationToken);
        return new TenantMemberPage([.. page.Select(m => m.membership.ToMemberDto(m.user))], query.Page, query.PageSize, total);
    }
}

internal sealed class ListTenantMembersValidator : AbstractValidator<Contracts.ListTenantMembers>
{
    public ListTenantMembersValidator()
    {
        RuleFor(q => q.Page).InclusiveBetween(1, 1_000_000);
        RuleFor(q => q.PageSize).InclusiveBetween(1, 100);
        RuleFor(q => q.Search).MaximumLength(100);
    }
}

internal static class ListTenantMembersEndpoint
{
    public static void MapListTenantMembers(this IEndpointRouteBuilder members) =>
        members.MapGet("/", async (ISender sender, CancellationToken cancellationToken, int page = 1, int pageSize = 20, string? search = null) =>
                TypedResults.Ok(await sender.Send(new Contracts.ListTenantMembers(page, pageSize, search), cancellationToken)))
            .WithName("ListTenantMembers").WithSummary("The caller's tenant's members with their roles, oldest first")
            .ProducesValidationProblem()
            .RequirePermission(IdentityPermissions.MembersRead);
}
