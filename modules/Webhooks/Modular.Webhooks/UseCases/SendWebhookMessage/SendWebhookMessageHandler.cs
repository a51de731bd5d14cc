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
using Modular.Webhooks.Delivery;
using Modular.Webhooks.Domain;
using Modular.Webhooks.EventTypes;

namespace Modular.Webhooks.UseCases.SendWebhookMessage;

public sealed class SendWebhookMessageHandler(MessageFanOut fanOut, ITenantContext scope)
    : ICommandHandler<Contracts.SendWebhookMessage, WebhookMessageDto>
{
    public async ValueTask<WebhookMessageDto> Handle(Contracts.SendWebhookMessage command, CancellationToken cancellationToken)
    {
        var tenantId = ActingTenant.For(scope, command.TenantId);
        var (message, deliveries) = await fanOut.SendAsync(tenantId, command.EventType, command.EventId, command.Data, null, cancellationToken);
        return message.ToDto(deliveries);
    }
}

internal sealed class SendWebhookMessageValidator : AbstractValidator<Contracts.SendWebhookMessage>
{
    public SendWebhookMessageValidator(EventTypeCatalog catalog, IOptions<WebhooksOptions> options)
    {
        var maxBytes = options.Value.MaxPayloadBytes;
        RuleFor(c => c.EventType).NotEmpty().MaximumLength(WebhookMessage.EventTypeMaxLength)
            .Must(catalog.Contains).WithMessage($"Unknown event type. See GET {WebhooksRoutes.EventTypes}.");
        RuleFor(c => c.EventId).NotEmpty().MaximumLength(WebhookMessage.EventIdMaxLength);
        RuleFor(c => c.Data).Must(d => d.ValueKind == JsonValueKind.Object).WithMessage("Data is a JSON object.")
            .Must(d => d.ValueKind != JsonValueKind.Object || System.Text.Encoding.UTF8.GetByteCount(d.GetRawText()) <= maxBytes)
            .WithMessage($"Data is at most {maxBytes} bytes.");
    }
}

internal static class SendWebhookMessageEndpoint
{
    public static void MapSendWebhookMessage(this IEndpointRouteBuilder webhooks) =>
        webhooks.MapPost("/messages", async (Contracts.SendWebhookMessage command, ISender sender, CancellationToken cancellationToken) =>
            {
                var message = await sender.Send(command, cancellationToken);
                return TypedResults.Created(WebhooksRoutes.Message(message.Id), message);
            })
            .WithName("SendWebhookMessage")
            .WithSummary("Send a message to every subscribed endpoint; idempotent by eventId")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(WebhooksPermissions.Manage);
}
