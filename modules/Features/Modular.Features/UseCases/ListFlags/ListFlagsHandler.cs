using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Features.Contracts;
using Modular.Features.Persistence;
using Modular.Kernel.Security;

namespace Modular.Features.UseCases.ListFlags;

public sealed class ListFlagsHandler(FeaturesDbContext db) : IQueryHandler<Contracts.ListFlags, IReadOnlyList<FlagDto>>
{
    public async ValueTask<IReadOnlyList<FlagDto>> Handle(Contracts.ListFlags query, CancellationToken cancellationToken)
    {
        var flags = db.Flags.AsNoTracking().Include(f => f.Overrides).AsQueryable();
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var search = query.Search.Trim().ToLowerInvariant();
            flags = flags.Where(f => f.Key.ToLower().Contains(search) || f.Description.ToLower().Contains(search) || f.Owner.ToLower().Contains(search));
        }

        if (!string.IsNullOrWhiteSpace(query.Type))
        {
            var type = query.Type.ToLowerInvariant();
            flags = flags.Where(f => f.Type == type);
        }

        return [.. (await flags.OrderBy(f => f.Key).ToListAsync(cancellationToken)).Select(f => f.ToDto())];
    }
}

internal sealed class ListFlagsValidator : AbstractValidator<Contracts.ListFlags>
{
    public ListFlagsValidator()
    {
        RuleFor(q => q.Search).MaximumLength(100);
        RuleFor(q => q.Type).Must(t => string.IsNullOrWhiteSpace(t) || FlagTypes.All.Contains(t, StringComparer.OrdinalIgnoreCase))
            .WithMessage($"Type is one of {string.Join(", ", FlagTypes.All)}.");
    }
}

internal static class ListFlagsEndpoint
{
    public static void MapListFlags(this IEndpointRouteBuilder flags) =>
        flags.MapGet("/", async (ISender sender, CancellationToken cancellationToken, string? search = null, string? type = null) =>
                TypedResults.Ok(await sender.Send(new Contracts.ListFlags(search, type), cancellationToken)))
            .WithName("ListFlags")
            .WithSummary("List feature flags by key, with search and a type filter")
            .ProducesValidationProblem()
            .RequirePermission(FeaturesPermissions.Read);
}
