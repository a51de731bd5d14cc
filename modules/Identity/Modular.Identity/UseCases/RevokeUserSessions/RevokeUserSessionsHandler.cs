using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Kernel.Security;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.RevokeUserSessions;

public sealed class RevokeUserSessionsHandler(UserManager<User> users, IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens)
    : ICommandHandler<Contracts.RevokeUserSessions, int>
{
    public async ValueTask<int> Handle(Contracts.RevokeUserSessions command, CancellationToken cancellationToken) =>
        await authorizations.RevokeSessionsAsync(tokens, await users.GetAsync(command.UserId), command.SessionId, cancellationToken);
}

internal static class RevokeUserSessionsEndpoint
{
    public static void MapRevokeUserSessions(this IEndpointRouteBuilder users) =>
        users.MapDelete("/{id:guid}/sessions", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(new { revoked = await sender.Send(new Contracts.RevokeUserSessions(id), cancellationToken) }))
            .WithName("RevokeUserSessions").WithSummary("Revoke every session of the user")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(IdentityPermissions.UsersManage);

    public static void MapRevokeUserSession(this IEndpointRouteBuilder users) =>
        users.MapDelete("/{id:guid}/sessions/{sessionId:guid}", async (Guid id, Guid sessionId, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(new { revoked = await sender.Send(new Contracts.RevokeUserSessions(id, sessionId), cancellationToken) }))
            .WithName("RevokeUserSession").WithSummary("Revoke one session and its tokens")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(IdentityPermissions.UsersManage);
}
