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

namespace Modular.Identity.UseCases.TestSsoConnection;

public sealed class TestSsoConnectionHandler(IdentityDbContext db, SsoConnections connections, FederatedClientService client, TimeProvider clock)
    : ICommandHandler<Contracts.TestSsoConnection, SsoConnectionTestResult>
{
    public async ValueTask<SsoConnectionTestResult> Handle(Contracts.TestSsoConnection command, CancellationToken cancellationToken)
    {
        var connection = await connections.FindAsync(command.Id, cancellationToken);
        var error = await client.ProbeAsync(new Uri(connection.Issuer), cancellationToken);
        var now = clock.GetUtcNow();
        connection.Tested(error, now);
        await db.CommitAsync(cancellationToken);
        return new SsoConnectionTestResult(error is null, error, now);
    }
}

internal static class TestSsoConnectionEndpoint
{
    public static void MapTestSsoConnection(this IEndpointRouteBuilder sso) =>
        sso.MapPost("/{id:guid}/test", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.TestSsoConnection(id), cancellationToken)))
            .WithName("TestSsoConnection").WithSummary("Fetch the provider's discovery document and keys now, and record the outcome")
            .ProducesProblem(StatusCodes.Status404NotFound);
}
