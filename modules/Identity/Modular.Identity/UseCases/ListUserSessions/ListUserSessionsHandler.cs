using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Kernel.Security;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.ListUserSessions;

public sealed class ListUserSessionsHandler(
    UserManager<User> users, IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, IOpenIddictApplicationManager applications)
    : IQueryHandler<Contracts.ListUserSessions, IReadOnlyList<SessionDto>>
{
    public async ValueTask<IReadOnlyList<SessionDto>> Handle(Contracts.ListUserSessions query, CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(query.UserId);
        var sessions = new List<SessionDto>();
        await foreach (var authorization in authorizations.FindBySubjectAsync(user.Id.ToString(), cancellationToken))
        {
            var id = (await authorizations.GetIdAsync(authorization, cancellationToken))!;
            var application = await authorizations.GetApplicationIdAsync(authorization, cancellationToken) is { } applicationId
                ? await applications.FindByIdAsync(applicationId, cancellationToken)
                : null;
            var issued = new List<TokenDto>();
            await foreach (var token in tokens.FindByAuthorizationIdAsync(id, cancellationToken))
            {
                issued.Add(new TokenDto(
                    Guid.Parse((await tokens.GetIdAsync(token, cancellationToken))!),
                    ShortName(await tokens.GetTypeAsync(token, cancellationToken)),
                    await tokens.GetStatusAsync(token, cancellationToken) ?? "",
                    await tokens.GetCreationDateAsync(token, cancellationToken),
                    await tokens.GetExpirationDateAsync(token, cancellationToken)));
            }

            sessions.Add(new SessionDto(
                Guid.Parse(id),
                application is null ? "" : await applications.GetClientIdAsync(application, cancellationToken) ?? "",
                application is null ? "" : await applications.GetDisplayNameAsync(application, cancellationToken) ?? "",
                await authorizations.GetStatusAsync(authorization, cancellationToken) ?? "",
                await authorizations.GetCreationDateAsync(authorization, cancellationToken),
                [.. await authorizations.GetScopesAsync(authorization, cancellationToken)],
                [.. issued.OrderByDescending(t => t.CreatedAt)]));
        }

        return [.. sessions.OrderByDescending(s => s.CreatedAt)];
    }

    /// <summary>"urn:ietf:params:oauth:token-type:refresh_token" → "refresh_token".</summary>
    private static string ShortName(string? tokenType) => tokenType?[(tokenType.LastIndexOf(':') + 1)..] ?? "";
}

internal static class ListUserSessionsEndpoint
{
    public static void MapListUserSessions(this IEndpointRouteBuilder users) =>
        users.MapGet("/{id:guid}/sessions", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.ListUserSessions(id), cancellationToken)))
            .WithName("ListUserSessions").WithSummary("The user's sessions at clients, with their tokens")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(IdentityPermissions.UsersRead);
}
