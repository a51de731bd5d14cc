using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Identity.Contracts;
using Modular.Identity.Persistence;
using Modular.Kernel.Security;

namespace Modular.Identity.UseCases.ListUsers;

public sealed class ListUsersHandler(IdentityDbContext db, TimeProvider clock) : IQueryHandler<Contracts.ListUsers, UserPage>
{
    public async ValueTask<UserPage> Handle(Contracts.ListUsers query, CancellationToken cancellationToken)
    {
        var users = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var search = query.Search.Trim().ToUpperInvariant();
            users = users.Where(u => u.NormalizedEmail!.Contains(search) || u.DisplayName.ToUpper().Contains(search));
        }

        var total = await users.CountAsync(cancellationToken);
        var page = await users
            .OrderByDescending(u => u.CreatedAt).ThenBy(u => u.Id)
            .Skip((query.Page - 1) * query.PageSize)
            .Take(query.PageSize)
            .ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        return new UserPage([.. page.Select(u => u.ToSummary(now))], query.Page, query.PageSize, total);
    }
}

internal sealed class ListUsersValidator : AbstractValidator<Contracts.ListUsers>
{
    public ListUsersValidator()
    {
        RuleFor(q => q.Page).InclusiveBetween(1, 1_000_000);
        RuleFor(q => q.PageSize).InclusiveBetween(1, 100);
        RuleFor(q => q.Search).MaximumLength(100);
    }
}

internal static class ListUsersEndpoint
{
    public static void MapListUsers(this IEndpointRouteBuilder users) =>
        users.MapGet("/", async (ISender sender, CancellationToken cancellationToken, int page = 1, int pageSize = 20, string? search = null) =>
                TypedResults.Ok(await sender.Send(new Contracts.ListUsers(page, pageSize, search), cancellationToken)))
            .WithName("ListUsers").WithSummary("Search users by email or name, newest first")
            .ProducesValidationProblem()
            .RequirePermission(IdentityPermissions.UsersRead);
}
