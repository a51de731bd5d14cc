using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Clients;
using Modular.Identity.Contracts;
using Modular.Kernel.Errors;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.CreateApiResource;

public sealed class CreateApiResourceHandler(IOpenIddictScopeManager scopes) : ICommandHandler<Contracts.CreateApiResource, ApiResourceDefinition>
{
    public async ValueTask<ApiResourceDefinition> Handle(Contracts.CreateApiResource command, CancellationToken cancellationToken)
    {
        if (await scopes.FindAsync(command.Name, cancellationToken) is not null)
        {
            throw new ConflictException($"An API resource named '{command.Name}' already exists.");
        }

        var resource = ApiResourceScopes.AsStored(command);
        await scopes.SaveAsync(resource, previousScopes: [], cancellationToken);
        return resource;
    }
}

internal sealed class CreateApiResourceValidator(IOpenIddictScopeManager scopes, IOpenIddictApplicationManager applications)
    : ApiResourceRules<Contracts.CreateApiResource>(scopes, applications);

internal static class CreateApiResourceEndpoint
{
    public static void MapCreateApiResource(this IEndpointRouteBuilder resources) =>
        resources.MapPost("/", async (Contracts.CreateApiResource body, ISender sender, CancellationToken cancellationToken) =>
            {
                var created = await sender.Send(body, cancellationToken);
                return TypedResults.Created(IdentityRoutes.ApiResource(created.Name), created);
            })
            .WithName("CreateApiResource").WithSummary("Register an API resource: tokens for its scopes get its audience")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
}
