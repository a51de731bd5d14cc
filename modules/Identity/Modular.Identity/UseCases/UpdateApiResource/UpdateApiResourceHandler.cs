using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Clients;
using Modular.Identity.Contracts;
using Modular.Kernel.Errors;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.UpdateApiResource;

public sealed class UpdateApiResourceHandler(IOpenIddictScopeManager scopes, IOpenIddictApplicationManager applications)
    : ICommandHandler<Contracts.UpdateApiResource, ApiResourceDefinition>
{
    public async ValueTask<ApiResourceDefinition> Handle(Contracts.UpdateApiResource command, CancellationToken cancellationToken)
    {
        var current = await scopes.FindAsync(command.Name, cancellationToken) ?? throw new NotFoundException("API resource", command.Name);
        var resource = ApiResourceScopes.AsStored(command);
        await scopes.SaveAsync(resource, current.Scopes, cancellationToken);
        await applications.WithdrawFromClientsAsync([.. current.Scopes.Except(command.Scopes)], cancellationToken);
        return resource;
    }
}

internal sealed class UpdateApiResourceValidator(IOpenIddictScopeManager scopes, IOpenIddictApplicationManager applications)
    : ApiResourceRules<Contracts.UpdateApiResource>(scopes, applications);

internal static class UpdateApiResourceEndpoint
{
    public static void MapUpdateApiResource(this IEndpointRouteBuilder resources) =>
        resources.MapPut("/{name}", async (string name, Contracts.UpdateApiResource body, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(body with { Name = name }, cancellationToken)))
            .WithName("UpdateApiResource").WithSummary("Change an API resource's display name, scopes or resource server")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
}
