using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Federation;
using Modular.Identity.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Errors;
using Modular.Kernel.Outbound;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;

namespace Modular.Identity.UseCases.GetSsoConnection;

public sealed class GetSsoConnectionHandler(SsoConnections connections) : IQueryHandler<Contracts.GetSsoConnection, SsoConnectionDto>
{
    public async ValueTask<SsoConnectionDto> Handle(Contracts.GetSsoConnection query, CancellationToken cancellationToken) =>
        await connections.DtoAsync(await connections.FindAsync(query.Id, cancellationToken), cancellationToken);
}

internal static class GetSsoConnectionEndpoint
{
    public static void MapGetSsoConnection(this IEndpointRouteBuilder sso) =>
        sso.MapGet("/{id:guid}", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.GetSsoConnection(id), cancellationToken)))
            .WithName("GetSsoConnection").WithSummary("One SSO connection of the caller's tenant")
            .ProducesProblem(StatusCodes.Status404NotFound);
}
