using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Modular.Kernel.Outbound;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Delivery;
using Modular.Webhooks.Domain;
using Modular.Webhooks.EventTypes;
using Modular.Webhooks.Persistence;

namespace Modular.Webhooks.UseCases.CreateWebhookEndpoint;

public sealed class CreateWebhookEndpointHandler(WebhooksDbContext db, EndpointSecrets secrets, ITenantContext scope, TimeProvider clock)
    : ICommandHandler<Contracts.CreateWebhookEndpoint, CreatedWebhookEndpoint>
{
    public ValueTask<CreatedWebhookEndpoint> Handle(Contracts.CreateWebhookEndpoint command, CancellationToken cancellationToken)
    {
        var tenantId = ActingTenant.For(scope, command.TenantId);
        var secret = WebhookSignature.NewSecret();
        var endpoint = WebhookEndpoint.Create(
            tenantId, command.Url, command.EventTypes, command.Description, command.RateLimitPerSecond, command.Headers,
            secrets.Protect(secret), clock.GetUtcNow());
        db.Endpoints.Add(endpoint);
        return ValueTask.FromResult(new CreatedWebhookEndpoint(endpoint.ToDto(), secret));
    }
}

internal sealed class CreateWebhookEndpointValidator : AbstractValidator<Contracts.CreateWebhookEndpoint>
{
    public CreateWebhookEndpointValidator(IOptions<WebhooksOptions> options, [FromKeyedServices(WebhooksModule.AddressPolicyKey)] OutboundAddressPolicy policy, EventTypeCatalog catalog)
    {
        RuleFor(c => c.Url).EndpointUrl(options.Value, policy);
        RuleFor(c => c.EventTypes!).KnownEventTypes(catalog).When(c => c.EventTypes is not null);
        RuleFor(c => c.Description).MaximumLength(WebhookEndpoint.DescriptionMaxLength);
        RuleFor(c => c.RateLimitPerSecond).InclusiveBetween(1, WebhookRules.MaxRateLimitPerSecond);
        RuleFor(c => c.Headers!).CustomHeaders().When(c => c.Headers is not null);
    }
}

internal static class CreateWebhookEndpointEndpoint
{
    public static void MapCreateWebhookEndpoint(this IEndpointRouteBuilder webhooks) =>
        webhooks.MapPost("/endpoints", async (Contracts.CreateWebhookEndpoint command, ISender sender, CancellationToken cancellationToken) =>
            {
                var created = await sender.Send(command, cancellationToken);
                return TypedResults.Created(WebhooksRoutes.Endpoint(created.Endpoint.Id), created);
            })
            .WithName("CreateWebhookEndpoint")
            .WithSummary("Register an endpoint; the answer shows its signing secret, once")
            .ProducesValidationProblem()
            .RequirePermission(WebhooksPermissions.Manage);
}
