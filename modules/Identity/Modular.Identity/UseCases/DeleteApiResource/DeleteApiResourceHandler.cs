using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Clients;
using Modular.Kernel.Errors;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.DeleteApiResource;

public sealed class DeleteApiResourceHandler(IOpenIddictScopeManager scopes, IOpenIddictApplicationManager applications)
    : ICommandHandler<Contracts.DeleteApiResource>
{
    public async ValueTask<Unit> Handle(Contracts.DeleteApiResource command, CancellationToken cancellationToken)
    {
        var current = await scopes.FindAsync(command.Name, cancellationToken) ?? throw new NotFoundException("API resource", command.Name);
        await scopes.DeleteScopesAsync(current.Scopes, cancellationToken);
        await applications.WithdrawFromClientsAsync(current.Scopes, cancellationToken);
        return Unit.Value;
    }
}

internal static class DeleteApiResourceEndpoint
{
    public static void MapDeleteApiResource(this IEndpointRouteBuilder resources) =>
        resources.MapDelete("/{name}", async (string name, ISender sender, CancellationToken cancellationToken) =>
            {
                await sender.Send(new Contracts.DeleteApiResource(name), cancellationToken);
                return TypedResults.NoContent();
            })
            .WithName("DeleteApiResource").WithSummary("Remove an API resource and its scopes; clients lose them")
            .ProducesProblem(StatusCodes.Status404NotFound);
}
