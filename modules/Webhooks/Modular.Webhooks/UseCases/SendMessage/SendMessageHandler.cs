using System.Text.Json;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Domain;

namespace Modular.Webhooks.UseCases.SendMessage;

public sealed class SendWebhookMessageHandler(MessageFanOut fanOut, ITenantContext scope)
    : ICommandHandler<SendWebhookMessage, WebhookMessageDto>
{
    public async ValueTask<WebhookMessageDto> Handle(SendWebhookMessage command, CancellationToken cancellationToken)
    {
        var tenantId = WebhookRules.TenantFor(scope, command.TenantId);
        var (message, deliveries) = await fanOut.SendAsync(tenantId, command.EventType, command.EventId, command.Data, null, cancellationToken);
        return message.ToDto(deliveries);
    }
}

internal sealed class SendWebhookMessageValidator : AbstractValidator<SendWebhookMessage>
{
    public SendWebhookMessageValidator(EventTypeCatalog catalog, IOptions<WebhooksOptions> options)
    {
        var maxBytes = options.Value.MaxPayloadBytes;
        RuleFor(c => c.EventType).NotEmpty().MaximumLength(WebhookMessage.EventTypeMaxLength)
            .Must(catalog.Contains).WithMessage("Unknown event type. See GET /api/v1/webhooks/event-types.");
        RuleFor(c => c.EventId).NotEmpty().MaximumLength(WebhookMessage.EventIdMaxLength);
        RuleFor(c => c.Data).Must(d => d.ValueKind == JsonValueKind.Object).WithMessage("Data is a JSON object.")
            .Must(d => d.ValueKind != JsonValueKind.Object || System.Text.Encoding.UTF8.GetByteCount(d.GetRawText()) <= maxBytes)
            .WithMessage($"Data is at most {maxBytes} bytes.");
    }
}

public sealed class SendWebhookTestEventHandler(MessageFanOut fanOut, Persistence.WebhooksDbContext db, TimeProvider clock)
    : ICommandHandler<SendWebhookTestEvent, WebhookMessageDto>
{
    public async ValueTask<WebhookMessageDto> Handle(SendWebhookTestEvent command, CancellationToken cancellationToken)
    {
        var endpoint = await db.GetEndpointAsync(command.EndpointId, cancellationToken);
        var data = JsonSerializer.SerializeToElement(new { endpointId = endpoint.Id, message = "A test event from the platform." });
        var eventId = $"test:{endpoint.Id:N}:{clock.GetUtcNow().UtcTicks}";
        var (message, deliveries) = await fanOut.SendAsync(endpoint.TenantId, WebhookEventTypes.Test, eventId, data, endpoint.Id, cancellationToken);
        return message.ToDto(deliveries);
    }
}

internal static class SendMessageEndpoints
{
    public static void MapSendMessage(this IEndpointRouteBuilder webhooks)
    {
        webhooks.MapPost("/messages", async (SendWebhookMessage command, ISender sender, CancellationToken cancellationToken) =>
            {
                var message = await sender.Send(command, cancellationToken);
                return TypedResults.Created($"/api/v1/webhooks/messages/{message.Id}", message);
            })
            .WithName("SendWebhookMessage")
            .WithSummary("Send a message to every subscribed endpoint; idempotent by eventId")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(WebhooksPermissions.Manage);

        webhooks.MapPost("/endpoints/{id:guid}/test", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Accepted((string?)null, await sender.Send(new SendWebhookTestEvent(id), cancellationToken)))
            .WithName("SendWebhookTestEvent")
            .WithSummary("Send a webhook.test message to one endpoint")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(WebhooksPermissions.Manage);
    }
}
