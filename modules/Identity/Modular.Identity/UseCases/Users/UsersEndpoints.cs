using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Contracts;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;

namespace Modular.Identity.UseCases.Users;

/// <summary><c>/api/v1/identity/users</c>: platform operators look after accounts across every tenant.</summary>
internal static class UsersEndpoints
{
    internal sealed record LockUserBody(DateTimeOffset? Until);

    internal sealed record SetMembershipBody(IReadOnlyList<string> Roles);

    public static void MapUsers(this IEndpointRouteBuilder identity)
    {
        var users = identity.MapGroup("/users").WithTags("Identity: users").AcrossAllTenants();

        users.MapGet("/", async (ISender sender, CancellationToken cancellationToken, int page = 1, int pageSize = 20, string? search = null) =>
                TypedResults.Ok(await sender.Send(new ListUsers(page, pageSize, search), cancellationToken)))
            .WithName("ListUsers").WithSummary("Search users by email or name, newest first")
            .ProducesValidationProblem()
            .RequirePermission(IdentityPermissions.UsersRead);

        users.MapGet("/{id:guid}", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new GetUser(id), cancellationToken)))
            .WithName("GetUser").WithSummary("One user with platform roles and tenant memberships")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(IdentityPermissions.UsersRead);

        users.MapGet("/{id:guid}/sessions", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new ListUserSessions(id), cancellationToken)))
            .WithName("ListUserSessions").WithSummary("The user's sessions at clients, with their tokens")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(IdentityPermissions.UsersRead);

        var manage = users.MapGroup("/{id:guid}").RequirePermission(IdentityPermissions.UsersManage);
        manage.MapPost("/lock", async (Guid id, LockUserBody? body, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new LockUser(id, body?.Until), cancellationToken)))
            .WithName("LockUser").WithSummary("Lock the account (until a time, or until unlocked) and revoke its sessions")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        manage.MapPost("/unlock", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new UnlockUser(id), cancellationToken)))
            .WithName("UnlockUser").WithSummary("End a lock and reset the failed sign-in count")
            .ProducesProblem(StatusCodes.Status404NotFound);

        manage.MapPost("/reset-two-factor", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new ResetTwoFactor(id), cancellationToken)))
            .WithName("ResetTwoFactor").WithSummary("Turn two-factor sign-in off and forget the authenticator key")
            .ProducesProblem(StatusCodes.Status404NotFound);

        manage.MapPut("/memberships/{tenantId:guid}", async (Guid id, Guid tenantId, SetMembershipBody body, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new SetMembership(id, tenantId, body.Roles ?? []), cancellationToken)))
            .WithName("SetMembership").WithSummary("Add the user to a tenant, or replace their roles there")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        manage.MapDelete("/memberships/{tenantId:guid}", async (Guid id, Guid tenantId, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new RemoveMembership(id, tenantId), cancellationToken)))
            .WithName("RemoveMembership").WithSummary("Take the user out of a tenant")
            .ProducesProblem(StatusCodes.Status404NotFound);

        manage.MapDelete("/sessions", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(new { revoked = await sender.Send(new RevokeUserSessions(id), cancellationToken) }))
            .WithName("RevokeUserSessions").WithSummary("Revoke every session of the user")
            .ProducesProblem(StatusCodes.Status404NotFound);

        manage.MapDelete("/sessions/{sessionId:guid}", async (Guid id, Guid sessionId, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(new { revoked = await sender.Send(new RevokeUserSessions(id, sessionId), cancellationToken) }))
            .WithName("RevokeUserSession").WithSummary("Revoke one session and its tokens")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }
}
