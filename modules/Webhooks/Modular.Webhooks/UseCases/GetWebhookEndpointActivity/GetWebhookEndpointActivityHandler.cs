using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Kernel.Security;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Persistence;

namespace Modular.Webhooks.UseCases.GetWebhookEndpointActivity;

public sealed class GetWebhookEndpointActivityHandler(WebhooksDbContext db, TimeProvider clock)
    : IQueryHandler<Contracts.GetWebhookEndpointActivity, WebhookEndpointActivity>
{
    public async ValueTask<WebhookEndpointActivity> Handle(Contracts.GetWebhookEndpointActivity query, CancellationToken cancellationToken)
    {
        var endpoint = await db.GetEndpointAsync(query.EndpointId, cancellationToken); // another tenant's endpoint is not found
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var days = new List<WebhookActivityDay>(query.Days);

        // One count per day along the (endpoint, attempted at) index: a bounded range each, whatever the endpoint's volume.
        for (var day = today.AddDays(1 - query.Days); day <= today; day = day.AddDays(1))
        {
            var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            var stats = await EndpointStats.BetweenAsync(db, [endpoint.Id], start, start.AddDays(1), cancellationToken);
            days.Add(stats.TryGetValue(endpoint.Id, out var counted)
                ? new WebhookActivityDay(day, counted.Attempts, counted.Succeeded)
                : new WebhookActivityDay(day, 0, 0));
        }

        return new WebhookEndpointActivity(endpoint.Id, days);
    }
}

internal sealed class GetWebhookEndpointActivityValidator : AbstractValidator<Contracts.GetWebhookEndpointActivity>
{
    public GetWebhookEndpointActivityValidator() => RuleFor(q => q.Days).InclusiveBetween(1, 31);
}

internal static class GetWebhookEndpointActivityEndpoint
{
    public static void MapGetWebhookEndpointActivity(this IEndpointRouteBuilder webhooks) =>
        webhooks.MapGet("/endpoints/{id:guid}/activity", async (Guid id, ISender sender, CancellationToken cancellationToken, int days = 14) =>
                TypedResults.Ok(await sender.Send(new Contracts.GetWebhookEndpointActivity(id, days), cancellationToken)))
            .WithName("GetWebhookEndpointActivity")
            .WithSummary("One endpoint's attempts and successes per UTC day, today last")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(WebhooksPermissions.Read);
}
