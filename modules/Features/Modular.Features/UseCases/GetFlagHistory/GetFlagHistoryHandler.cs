using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Features.Contracts;
using Modular.Features.Domain;
using Modular.Features.Persistence;
using Modular.Kernel.Security;

namespace Modular.Features.UseCases.GetFlagHistory;

public sealed class GetFlagHistoryHandler(FeaturesDbContext db) : IQueryHandler<Contracts.GetFlagHistory, IReadOnlyList<FlagChangeDto>>
{
    public async ValueTask<IReadOnlyList<FlagChangeDto>> Handle(Contracts.GetFlagHistory query, CancellationToken cancellationToken)
    {
        var changes = db.Changes.AsNoTracking();
        if (query.Key is { } key)
        {
            changes = changes.Where(c => c.Key == key);
        }

        if (query.TenantId is { } tenantId)
        {
            changes = changes.Where(c => c.TenantId == tenantId);
        }

        var newest = await changes.OrderByDescending(c => c.OccurredAt).ThenByDescending(c => c.Id).Take(query.Limit).ToListAsync(cancellationToken);
        return [.. newest.Select(c => c.ToDto())];
    }
}

internal sealed class GetFlagHistoryValidator : AbstractValidator<Contracts.GetFlagHistory>
{
    public const int MaxLimit = 500;

    public GetFlagHistoryValidator()
    {
        RuleFor(q => q.Key).MaximumLength(FeatureFlag.KeyMaxLength);
        RuleFor(q => q.Limit).InclusiveBetween(1, MaxLimit);
    }
}

internal static class GetFlagHistoryEndpoint
{
    public static void MapGetFlagHistory(this IEndpointRouteBuilder flags)
    {
        flags.MapGet("/history", async (ISender sender, CancellationToken cancellationToken, string? flag = null, Guid? tenant = null, int limit = 100) =>
                TypedResults.Ok(await sender.Send(new Contracts.GetFlagHistory(flag, tenant, limit), cancellationToken)))
            .WithName("GetFlagHistory")
            .WithSummary("Feature flag changes, newest first, optionally of one flag or one tenant")
            .ProducesValidationProblem()
            .RequirePermission(FeaturesPermissions.Read);

        flags.MapGet("/{key}/history", async (string key, ISender sender, CancellationToken cancellationToken, int limit = 100) =>
                TypedResults.Ok(await sender.Send(new Contracts.GetFlagHistory(key, null, limit), cancellationToken)))
            .WithName("GetOneFlagHistory")
            .WithSummary("One feature flag's changes, newest first")
            .ProducesValidationProblem()
            .RequirePermission(FeaturesPermissions.Read);
    }
}
