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
using Modular.Webhooks.Persistence;

namespace Modular.Webhooks.UseCases.ManageEndpoints;

public sealed class CreateWebhookEndpointHandler(WebhooksDbContext db, EndpointSecrets secrets, ITenantContext scope, TimeProvider clock)
    : ICommandHandler<CreateWebhookEndpoint, CreatedWebhookEndpoint>
{
    public ValueTask<CreatedWebhookEndpoint> Handle(CreateWebhookEndpoint command, CancellationToken cancellationToken)
    {
        var tenantId = WebhookRules.TenantFor(scope, command.TenantId);
        var secret = WebhookSignature.NewSecret();
        var endpoint = WebhookEndpoint.Create(
            tenantId, command.Url, command.EventTypes, command.Description, command.RateLimitPerSecond, command.Headers,
            secrets.Protect(secret), clock.GetUtcNow());
        db.Endpoints.Add(endpoint);
        return ValueTask.FromResult(new CreatedWebhookEndpoint(endpoint.ToDto(), secret));
    }
}

internal sealed class CreateWebhookEndpointValidator : AbstractValidator<CreateWebhookEndpoint>
{
    public CreateWebhookEndpointValidator(IOptions<WebhooksOptions> options, AddressPolicy policy, EventTypeCatalog catalog)
    {
        RuleFor(c => c.Url).EndpointUrl(options.Value, policy);
        RuleFor(c => c.EventTypes!).KnownEventTypes(catalog).When(c => c.EventTypes is not null);
        RuleFor(c => c.Description).MaximumLength(WebhookEndpoint.DescriptionMaxLength);
        RuleFor(c => c.RateLimitPerSecond).InclusiveBetween(1, WebhookRules.MaxRateLimitPerSecond);
        RuleFor(c => c.Headers!).CustomHeaders().When(c => c.Headers is not null);
    }
}

public sealed class UpdateWebhookEndpointHandler(WebhooksDbContext db) : ICommandHandler<UpdateWebhookEndpoint, WebhookEndpointDto>
{
    public async ValueTask<WebhookEndpointDto> Handle(UpdateWebhookEndpoint command, CancellationToken cancellationToken)
    {
        var endpoint = await db.GetEndpointAsync(command.Id, cancellationToken);
        endpoint.Change(command.Url, command.EventTypes, command.Description, command.RateLimitPerSecond, command.Headers);
        return endpoint.ToDto();
    }
}

internal sealed class UpdateWebhookEndpointValidator : AbstractValidator<UpdateWebhookEndpoint>
{
    public UpdateWebhookEndpointValidator(IOptions<WebhooksOptions> options, AddressPolicy policy, EventTypeCatalog catalog)
    {
        RuleFor(c => c.Url).EndpointUrl(options.Value, policy).When(c => c.Url is not null);
        RuleFor(c => c.EventTypes!).KnownEventTypes(catalog).When(c => c.EventTypes is not null);
        RuleFor(c => c.Description).MaximumLength(WebhookEndpoint.DescriptionMaxLength);
        RuleFor(c => c.RateLimitPerSecond).InclusiveBetween(1, WebhookRules.MaxRateLimitPerSecond);
        RuleFor(c => c.Headers!).CustomHeaders().When(c => c.Headers is not null);
    }
}

public sealed class RotateWebhookEndpointSecretHandler(WebhooksDbContext db, EndpointSecrets secrets, TimeProvider clock)
    : ICommandHandler<RotateWebhookEndpointSecret, WebhookEndpointSecret>
{
    public async ValueTask<WebhookEndpointSecret> Handle(RotateWebhookEndpointSecret command, CancellationToken cancellationToken)
    {
        var endpoint = await db.GetEndpointAsync(command.Id, cancellationToken);
        var secret = WebhookSignature.NewSecret();
        var grace = command.GraceHours is { } hours ? TimeSpan.FromHours(hours) : WebhookEndpoint.DefaultSecretGrace;
        endpoint.RotateSecret(secrets.Protect(secret), grace, clock.GetUtcNow());
        return new WebhookEndpointSecret(endpoint.Id, secret, endpoint.PreviousSecretExpiresAt);
    }
}

internal sealed class RotateWebhookEndpointSecretValidator : AbstractValidator<RotateWebhookEndpointSecret>
{
    public RotateWebhookEndpointSecretValidator() => RuleFor(c => c.GraceHours).InclusiveBetween(0, 24 * 7);
}

public sealed class EnableWebhookEndpointHandler(WebhooksDbContext db) : ICommandHandler<EnableWebhookEndpoint, WebhookEndpointDto>
{
    public async ValueTask<WebhookEndpointDto> Handle(EnableWebhookEndpoint command, CancellationToken cancellationToken)
    {
        var endpoint = await db.GetEndpointAsync(command.Id, cancellationToken);
        endpoint.Enable();
        return endpoint.ToDto();
    }
}

public sealed class DisableWebhookEndpointHandler(WebhooksDbContext db) : ICommandHandler<DisableWebhookEndpoint, WebhookEndpointDto>
{
    public async ValueTask<WebhookEndpointDto> Handle(DisableWebhookEndpoint command, CancellationToken cancellationToken)
    {
        var endpoint = await db.GetEndpointAsync(command.Id, cancellationToken);
        endpoint.Disable("Disabled by an operator.");
        return endpoint.ToDto();
    }
}

/// <summary>Deletes the endpoint with its deliveries and attempts (messages stay for the tenant's other endpoints).</summary>
public sealed class DeleteWebhookEndpointHandler(WebhooksDbContext db) : ICommandHandler<DeleteWebhookEndpoint, Unit>
{
    public async ValueTask<Unit> Handle(DeleteWebhookEndpoint command, CancellationToken cancellationToken)
    {
        db.Endpoints.Remove(await db.GetEndpointAsync(command.Id, cancellationToken));
        return Unit.Value;
    }
}

internal static class ManageEndpointEndpoints
{
    public static void MapManageEndpoints(this IEndpointRouteBuilder webhooks)
    {
        webhooks.MapPost("/endpoints", async (CreateWebhookEndpoint command, ISender sender, CancellationToken cancellationToken) =>
            {
                var created = await sender.Send(command, cancellationToken);
                return TypedResults.Created($"/api/v1/webhooks/endpoints/{created.Endpoint.Id}", created);
            })
            .WithName("CreateWebhookEndpoint")
            .WithSummary("Register an endpoint; the answer shows its signing secret, once")
            .ProducesValidationProblem()
            .RequirePermission(WebhooksPermissions.Manage);

        webhooks.MapPatch("/endpoints/{id:guid}", async (Guid id, UpdateWebhookEndpoint command, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(command with { Id = id }, cancellationToken)))
            .WithName("UpdateWebhookEndpoint")
            .WithSummary("Change an endpoint's URL, event types, description, rate limit or headers")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(WebhooksPermissions.Manage);

        webhooks.MapPost("/endpoints/{id:guid}/rotate-secret", async (Guid id, ISender sender, CancellationToken cancellationToken, int? graceHours = null) =>
                TypedResults.Ok(await sender.Send(new RotateWebhookEndpointSecret(id, graceHours), cancellationToken)))
            .WithName("RotateWebhookEndpointSecret")
            .WithSummary("Issue a new secret, shown once; the old one keeps signing for the grace period")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(WebhooksPermissions.Manage);

        webhooks.MapPost("/endpoints/{id:guid}/enable", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new EnableWebhookEndpoint(id), cancellationToken)))
            .WithName("EnableWebhookEndpoint")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(WebhooksPermissions.Manage);

        webhooks.MapPost("/endpoints/{id:guid}/disable", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new DisableWebhookEndpoint(id), cancellationToken)))
            .WithName("DisableWebhookEndpoint")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(WebhooksPermissions.Manage);

        webhooks.MapDelete("/endpoints/{id:guid}", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
            {
                await sender.Send(new DeleteWebhookEndpoint(id), cancellationToken);
                return TypedResults.NoContent();
            })
            .WithName("DeleteWebhookEndpoint")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(WebhooksPermissions.Manage);
    }
}
