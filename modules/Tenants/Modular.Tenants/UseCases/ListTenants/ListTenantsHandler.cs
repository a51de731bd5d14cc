using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Security;
using Modular.Tenants.Contracts;
using Modular.Tenants.Domain;
using Modular.Tenants.Persistence;

namespace Modular.Tenants.UseCases.ListTenants;

public sealed class ListTenantsHandler(TenantsDbContext db) : IQueryHandler<Contracts.ListTenants, TenantPage>
{
    public async ValueTask<TenantPage> Handle(Contracts.ListTenants query, CancellationToken cancellationToken)
    {
        var tenants = db.Tenants.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var search = query.Search.Trim().ToLowerInvariant();
            tenants = tenants.Where(t => t.Slug.Contains(search) || t.Name.ToLower().Contains(search));
        }

        if (query.Status is { } status)
        {
            var wanted = Enum.Parse<TenantStatus>(status, ignoreCase: true);
            tenants = tenants.Where(t => t.Status == wanted);
        }

        var total = await tenants.CountAsync(cancellationToken);
        var page = await tenants
            .OrderByDescending(t => t.Id) // v7 ids: newest first, and a stable order
            .Skip((query.Page - 1) * query.PageSize)
            .Take(query.PageSize)
            .ToListAsync(cancellationToken);
        return new TenantPage([.. page.Select(t => t.ToDto())], query.Page, query.PageSize, total);
    }
}

internal sealed class ListTenantsValidator : AbstractValidator<Contracts.ListTenants>
{
    public const int MaxPageSize = 100;

    public ListTenantsValidator()
    {
        RuleFor(q => q.Page).InclusiveBetween(1, 1_000_000);
        RuleFor(q => q.PageSize).InclusiveBetween(1, MaxPageSize);
        RuleFor(q => q.Search).MaximumLength(100);
        RuleFor(q => q.Status).Must(s => s is null || Enum.TryParse<TenantStatus>(s, ignoreCase: true, out _))
            .WithMessage($"Status is one of {string.Join(", ", TenantStatuses.All)}.");
    }
}

internal static class ListTenantsEndpoint
{
    public static void MapListTenants(this IEndpointRouteBuilder tenants) =>
        tenants.MapGet("/", async (ISender sender, CancellationToken cancellationToken, int page = 1, int pageSize = 20, string? search = null, string? status = null) =>
                TypedResults.Ok(await sender.Send(new Contracts.ListTenants(page, pageSize, search, status), cancellationToken)))
            .WithName("ListTenants")
            .WithSummary("List tenants, newest first, with search and a status filter")
            .ProducesValidationProblem()
            .RequirePermission(TenantsPermissions.Read);
}
