using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Modular.Kernel.Outbound;
using Modular.Kernel.Security;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Delivery;
using Modular.Webhooks.Domain;
using Modular.Webhooks.EventTypes;
using Modular.Webhooks.Persistence;

namespace Modular.Webhooks.UseCases.UpdateWebhookEndpoint;

public sealed class UpdateWebhookEndpointHandler(WebhooksDbContext db) : ICommandHandler<Contracts.UpdateWebhookEndpoint, WebhookEndpointDto>
{
    public async ValueTask<WebhookEndpointDto> Handle(Contracts.UpdateWebhookEndpoint command, CancellationToken cancellationToken)
    {
        var endpoint = await db.GetEndpointAsync(command.Id, cancellationToken);
        endpoint.Change(command.Url, command.EventTypes, command.Description, command.RateLimitPerSecond, command.Headers);
        return endpoint.ToDto();
    }
}

internal sealed class UpdateWebhookEndpointValidator : AbstractValidator<Contracts.UpdateWebhookEndpoint>
{
    public UpdateWebhookEndpointValidator(IOptions<WebhooksOptions> options, [FromKeyedServices(WebhooksModule.AddressPolicyKey)] OutboundAddressPolicy policy, EventTypeCatalog catalog)
    {
        RuleFor(c => c.Url).EndpointUrl(options.Value, policy).When(c => c.Url is not null);
        RuleFor(c => c.EventTypes!).KnownEventTypes(catalog).When(c => c.EventTypes is not null);
        RuleFor(c => c.Description).MaximumLength(WebhookEndpoint.DescriptionMaxLength);
        RuleFor(c => c.RateLimitPerSecond).InclusiveBetween(1, WebhookRules.MaxRateLimitPerSecond);
        RuleFor(c => c.Headers!).CustomHeaders().When(c => c.Headers is not null);
    }
}

internal static class UpdateWebhookEndpointEndpoint
{
    public static void MapUpdateWebhookEndpoint(this IEndpointRouteBuilder webhooks) =>
        webhooks.MapPatch("/endpoints/{id:guid}", async (Guid id, Contracts.UpdateWebhookEndpoint command, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(command with { Id = id }, cancellationToken)))
            .WithName("UpdateWebhookEndpoint")
            .WithSummary("Change an endpoint's URL, event types, description, rate limit or headers")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(WebhooksPermissions.Manage);
}
