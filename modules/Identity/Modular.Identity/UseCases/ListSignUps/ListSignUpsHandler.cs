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

namespace Modular.Identity.UseCases.ListSignUps;

public sealed class ListSignUpsHandler(IdentityDbContext db) : IQueryHandler<Contracts.ListSignUps, SignUpPage>
{
    public async ValueTask<SignUpPage> Handle(Contracts.ListSignUps query, CancellationToken cancellationToken)
    {
        var signUps = db.SignUps.AsNoTracking();
        if (query.Pending is { } pending)
        {
            signUps = pending ? signUps.Where(s => s.ActivatedAt == null) : signUps.Where(s => s.ActivatedAt != null);
        }

        var total = await signUps.CountAsync(cancellationToken);
        var page = await signUps
            .OrderByDescending(s => s.Id) // v7 ids: newest first, stable on both providers
            .Skip((query.Page - 1) * query.PageSize)
            .Take(query.PageSize)
            .Select(s => new SignUpDto(s.Id, s.TenantId, s.OrganizationName, s.Slug, s.UserId, s.Email, s.ClientAddress, s.CreatedAt, s.ActivatedAt))
            .ToListAsync(cancellationToken);
        return new SignUpPage(page, query.Page, query.PageSize, total);
    }
}

internal sealed class ListSignUpsValidator : AbstractValidator<Contracts.ListSignUps>
{
    public ListSignUpsValidator()
    {
        RuleFor(q => q.Page).InclusiveBetween(1, 1_000_000);
        RuleFor(q => q.PageSize).InclusiveBetween(1, 100);
    }
}

internal static class ListSignUpsEndpoint
{
    public static void MapListSignUps(this IEndpointRouteBuilder api) =>
        api.MapGet(IdentityRoutes.SignUps, async (ISender sender, CancellationToken cancellationToken, int page = 1, int pageSize = 20, bool? pending = null) =>
                TypedResults.Ok(await sender.Send(new Contracts.ListSignUps(page, pageSize, pending), cancellationToken)))
            .WithTags("Identity: users")
            .WithName("ListSignUps").WithSummary("Organisations that signed themselves up, newest first")
            .ProducesValidationProblem()
            .AcrossAllTenants()
            .RequirePermission(IdentityPermissions.UsersRead);
}
