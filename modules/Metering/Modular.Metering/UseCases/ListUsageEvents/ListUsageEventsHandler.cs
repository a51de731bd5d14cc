using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using Modular.Metering.Contracts;
using Modular.Metering.Domain;
using Modular.Metering.Persistence;

namespace Modular.Metering.UseCases.ListUsageEvents;

/// <summary>The event debugger: the tenant's latest events with what became of them.</summary>
public sealed class ListUsageEventsHandler(MeteringDbContext db, ITenantContext scope) : IQueryHandler<Contracts.ListUsageEvents, IReadOnlyList<UsageEventDto>>
{
    public async ValueTask<IReadOnlyList<UsageEventDto>> Handle(Contracts.ListUsageEvents query, CancellationToken cancellationToken)
    {
        _ = scope.Tenant ?? throw new NotFoundException("Tenant", "(none in scope)");
        var found = await UsageEventPages.ReadAsync(db.UsageEvents.AsNoTracking(), query.Status, query.Type, query.Before, query.Limit, cancellationToken);
        return found.Select(e => e.ToDto()).ToList();
    }
}

internal sealed class ListUsageEventsValidator : AbstractValidator<Contracts.ListUsageEvents>
{
    public ListUsageEventsValidator()
    {
        RuleFor(q => q.Limit).InclusiveBetween(1, UsageEventPages.MaxLimit);
        RuleFor(q => q.Status!).Must(s => UsageEventStatuses.All.Contains(s)).When(q => q.Status is not null)
            .WithMessage($"One of {string.Join(", ", UsageEventStatuses.All)}.");
        RuleFor(q => q.Type).MaximumLength(StoredUsageEvent.TypeMaxLength);
    }
}

internal static class ListUsageEventsEndpoint
{
    public static void MapListUsageEvents(this IEndpointRouteBuilder metering) =>
        metering.MapGet("/events", async (string? status, string? type, int? limit, Guid? before, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.ListUsageEvents(status, type, limit ?? 50, before), cancellationToken)))
            .WithName("ListUsageEvents")
            .WithSummary("The caller's tenant's latest usage events, newest first, with their status; before=<id of the last one> for the next page")
            .ProducesValidationProblem()
            .RequirePermission(MeteringPermissions.Read);
}
