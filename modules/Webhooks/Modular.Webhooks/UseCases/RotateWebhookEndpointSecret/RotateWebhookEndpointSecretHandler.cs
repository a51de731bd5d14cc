using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Kernel.Security;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Delivery;
using Modular.Webhooks.Domain;
using Modular.Webhooks.Persistence;

namespace Modular.Webhooks.UseCases.RotateWebhookEndpointSecret;

public sealed class RotateWebhookEndpointSecretHandler(WebhooksDbContext db, EndpointSecrets secrets, TimeProvider clock)
    : ICommandHandler<Contracts.RotateWebhookEndpointSecret, WebhookEndpointSecret>
{
    public async ValueTask<WebhookEndpointSecret> Handle(Contracts.RotateWebhookEndpointSecret command, CancellationToken cancellationToken)
    {
        var endpoint = await db.GetEndpointAsync(command.Id, cancellationToken);
        var secret = WebhookSignature.NewSecret();
        var grace = command.GraceHours is { } hours ? TimeSpan.FromHours(hours) : WebhookEndpoint.DefaultSecretGrace;
        endpoint.RotateSecret(secrets.Protect(secret), grace, clock.GetUtcNow());
        return new WebhookEndpointSecret(endpoint.Id, secret, endpoint.PreviousSecretExpiresAt);
    }
}

internal sealed class RotateWebhookEndpointSecretValidator : AbstractValidator<Contracts.RotateWebhookEndpointSecret>
{
    public RotateWebhookEndpointSecretValidator() => RuleFor(c => c.GraceHours).InclusiveBetween(0, 24 * 7);
}

internal static class RotateWebhookEndpointSecretEndpoint
{
    public static void MapRotateWebhookEndpointSecret(this IEndpointRouteBuilder webhooks) =>
        webhooks.MapPost("/endpoints/{id:guid}/rotate-secret", async (Guid id, ISender sender, CancellationToken cancellationToken, int? graceHours = null) =>
                TypedResults.Ok(await sender.Send(new Contracts.RotateWebhookEndpointSecret(id, graceHours), cancellationToken)))
            .WithName("RotateWebhookEndpointSecret")
            .WithSummary("Issue a new secret, shown once; the old one keeps signing for the grace period")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(WebhooksPermissions.Manage);
}
