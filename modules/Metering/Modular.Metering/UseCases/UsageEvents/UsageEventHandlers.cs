using System.Text.Json;
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

namespace Modular.Metering.UseCases.UsageEvents;

/// <summary>The event debugger: the tenant's latest events with what became of them.</summary>
public sealed class ListUsageEventsHandler(MeteringDbContext db, ITenantContext scope) : IQueryHandler<ListUsageEvents, IReadOnlyList<UsageEventDto>>
{
    public async ValueTask<IReadOnlyList<UsageEventDto>> Handle(ListUsageEvents query, CancellationToken cancellationToken)
    {
        _ = scope.Tenant ?? throw new NotFoundException("Tenant", "(none in scope)");
        var found = await UsageEventPages.ReadAsync(db.UsageEvents.AsNoTracking(), query.Status, query.Type, query.Before, query.Limit, cancellationToken);
        return found.Select(ToDto).ToList();
    }

    internal static UsageEventDto ToDto(StoredUsageEvent e) => new(
        e.Id, e.Source, e.EventId, e.Type, e.Subject, e.Time, e.ReceivedAt, e.Status, e.ValidationError,
        e.Data is null ? null : JsonSerializer.Deserialize<JsonElement>(e.Data));
}

/// <summary>
/// The event debugger's pages, for the tenant's listing and the platform's: newest first by receipt, a next
/// page starting after the event the caller saw last. Unlike offsets, a cursor neither repeats nor skips
/// events when new ones arrive between pages.
/// </summary>
internal static class UsageEventPages
{
    public static async Task<List<StoredUsageEvent>> ReadAsync(
        IQueryable<StoredUsageEvent> events, string? status, string? type, Guid? before, int limit, CancellationToken cancellationToken)
    {
        if (before is { } last)
        {
            // Looked up in the same listing, so another tenant's event is no cursor.
            var receivedAt = await events.Where(e => e.Id == last).Select(e => (DateTimeOffset?)e.ReceivedAt).FirstOrDefaultAsync(cancellationToken)
                ?? throw new RequestValidationException(new Dictionary<string, string[]> { ["before"] = ["No event of this listing has this id."] });
            events = events.Where(e => e.ReceivedAt < receivedAt || (e.ReceivedAt == receivedAt && e.Id.CompareTo(last) < 0));
        }

        if (status is not null)
        {
            events = events.Where(e => e.Status == status);
        }

        if (type is not null)
        {
            events = events.Where(e => e.Type == type);
        }

        return await events.OrderByDescending(e => e.ReceivedAt).ThenByDescending(e => e.Id).Take(limit).ToListAsync(cancellationToken);
    }
}

/// <summary>One event of the tenant in scope; another tenant's event is not found, whatever its id.</summary>
public sealed class GetUsageEventHandler(MeteringDbContext db, ITenantContext scope) : IQueryHandler<GetUsageEvent, UsageEventDto>
{
    public async ValueTask<UsageEventDto> Handle(GetUsageEvent query, CancellationToken cancellationToken)
    {
        _ = scope.Tenant ?? throw new NotFoundException("Tenant", "(none in scope)");
        var found = await db.UsageEvents.AsNoTracking().FirstOrDefaultAsync(e => e.Id == query.Id, cancellationToken)
            ?? throw new NotFoundException("Usage event", query.Id);
        return ListUsageEventsHandler.ToDto(found);
    }
}

internal sealed class ListUsageEventsValidator : AbstractValidator<ListUsageEvents>
{
    public const int MaxLimit = 500;

    public ListUsageEventsValidator()
    {
        RuleFor(q => q.Limit).InclusiveBetween(1, MaxLimit);
        RuleFor(q => q.Status!).Must(s => UsageEventStatuses.All.Contains(s)).When(q => q.Status is not null)
            .WithMessage($"One of {string.Join(", ", UsageEventStatuses.All)}.");
        RuleFor(q => q.Type).MaximumLength(StoredUsageEvent.TypeMaxLength);
    }
}

internal static class UsageEventEndpoints
{
    public static void MapUsageEvents(this IEndpointRouteBuilder metering)
    {
        metering.MapGet("/events", async (string? status, string? type, int? limit, Guid? before, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new ListUsageEvents(status, type, limit ?? 50, before), cancellationToken)))
            .WithName("ListUsageEvents")
            .WithSummary("The caller's tenant's latest usage events, newest first, with their status; before=<id of the last one> for the next page")
            .ProducesValidationProblem()
            .RequirePermission(MeteringPermissions.Read);

        metering.MapGet("/events/{id:guid}", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new GetUsageEvent(id), cancellationToken)))
            .WithName("GetUsageEvent")
            .WithSummary("One of the caller's tenant's usage events")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(MeteringPermissions.Read);
    }
}
