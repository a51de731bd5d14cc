using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Modular.Identity.Connect;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Federation;
using Modular.Identity.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Errors;
using Modular.Kernel.Outbound;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.DeleteSsoConnection;

/// <summary>Deletes the connection and its domains, unlinks its users, and ends the sessions they made through it.</summary>
public sealed class DeleteSsoConnectionHandler(
    IdentityDbContext db, ITenantContext scope, SsoConnections connections, SsoDirectory directory,
    IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, ICaller caller, TimeProvider clock)
    : ICommandHandler<Contracts.DeleteSsoConnection>
{
    public async ValueTask<Unit> Handle(Contracts.DeleteSsoConnection command, CancellationToken cancellationToken)
    {
        var tenantId = scope.CurrentTenantId();
        var connection = await connections.FindAsync(command.Id, cancellationToken);
        var logins = await db.Set<IdentityUserLogin<Guid>>().Where(l => l.LoginProvider == connection.LoginProvider).ToListAsync(cancellationToken);
        db.Set<IdentityUserLogin<Guid>>().RemoveRange(logins);
        db.SsoConnections.Remove(connection);
        db.Audit(tenantId, caller, "sso.connection.deleted", $"sso:{connection.Id}", new { connection.Name, users = logins.Count }, clock.GetUtcNow());
        await db.CommitAsync(cancellationToken);
        await directory.ForgetAsync(connection, cancellationToken);
        foreach (var userId in logins.Select(l => l.UserId).Distinct())
        {
            await authorizations.RevokeInTenantAsync(tokens, userId, tenantId, cancellationToken);
        }

        return Unit.Value;
    }
}

internal static class DeleteSsoConnectionEndpoint
{
    public static void MapDeleteSsoConnection(this IEndpointRouteBuilder sso) =>
        sso.MapDelete("/{id:guid}", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
            {
                await sender.Send(new Contracts.DeleteSsoConnection(id), cancellationToken);
                return TypedResults.NoContent();
            })
            .WithName("DeleteSsoConnection").WithSummary("Delete a connection: its users are unlinked and their sessions through it end")
            .ProducesProblem(StatusCodes.Status404NotFound);
}
