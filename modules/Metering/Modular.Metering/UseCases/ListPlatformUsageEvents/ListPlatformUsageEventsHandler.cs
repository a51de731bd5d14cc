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

namespace Modular.Metering.UseCases.ListPlatformUsageEvents;

/// <summary>
/// The event debugger across tenants. It widens nothing: it answers only where platform code already
/// works across all tenants (the console's circuit, or an endpoint marked <c>AcrossAllTenants</c>); in a
/// tenant's scope, or none, there is nothing to list.
/// </summary>
public sealed class ListPlatformUsageEventsHandler(MeteringDbContext db, ITenantContext scope)
    : IQueryHandler<Contracts.ListPlatformUsageEvents, IReadOnlyList<TenantUsageEventDto>>
{
    public async ValueTask<IReadOnlyList<TenantUsageEventDto>> Handle(Contracts.ListPlatformUsageEvents query, CancellationToken cancellationToken)
    {
        if (!scope.IsAllTenants)
        {
            throw new NotFoundException("Platform scope", "(not in one)");
        }

        var events = db.UsageEvents.AsNoTracking();
        if (query.TenantId is { } tenantId)
        {
            events = events.Where(e => e.TenantId == tenantId);
        }

        var found = await UsageEventPages.ReadAsync(events, query.Status, query.Type, query.Before, query.Limit, cancellationToken);
        return found.Select(e => new TenantUsageEventDto(e.TenantId, e.ToDto())).ToList();
    }
}

internal sealed class ListPlatformUsageEventsValidator : AbstractValidator<Contracts.ListPlatformUsageEvents>
{
    public ListPlatformUsageEventsValidator()
    {
        RuleFor(q => q.Limit).InclusiveBetween(1, UsageEventPages.MaxLimit);
        RuleFor(q => q.Status!).Must(s => UsageEventStatuses.All.Contains(s)).When(q => q.Status is not null)
            .WithMessage($"One of {string.Join(", ", UsageEventStatuses.All)}.");
        RuleFor(q => q.Type).MaximumLength(StoredUsageEvent.TypeMaxLength);
    }
}

internal static class ListPlatformUsageEventsEndpoint
{
    /// <summary>Under a group marked <c>AcrossAllTenants</c>: platform operators who may read usage.</summary>
    public static void MapListPlatformUsageEvents(this IEndpointRouteBuilder platform) =>
        platform.MapGet("/events", async (Guid? tenantId, string? status, string? type, int? limit, Guid? before, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.ListPlatformUsageEvents(tenantId, status, type, limit ?? 50, before), cancellationToken)))
            .WithName("ListPlatformUsageEvents")
            .WithSummary("The latest usage events across tenants, newest first, with their status (platform operators)")
            .ProducesValidationProblem()
            .RequirePermission(PlatformPermissions.Admin)
            .RequirePermission(MeteringPermissions.Read);
}
