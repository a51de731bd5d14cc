using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.LockUser;

public sealed class LockUserHandler(
    UserManager<User> users, IdentityDbContext db, IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, TimeProvider clock)
    : ICommandHandler<Contracts.LockUser, UserDto>
{
    public async ValueTask<UserDto> Handle(Contracts.LockUser command, CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(command.Id);
        if (command.Until is { } until && until <= clock.GetUtcNow())
        {
            throw new RequestValidationException(new Dictionary<string, string[]> { ["until"] = ["The lock must end in the future."] });
        }

        if (await users.IsInRoleAsync(user, IdentityRoles.PlatformAdmin))
        {
            // Somebody must still be able to sign in and run the platform (and unlock this account).
            var now = clock.GetUtcNow();
            var admins = await users.GetUsersInRoleAsync(IdentityRoles.PlatformAdmin);
            if (!admins.Any(admin => admin.Id != user.Id && !(admin.LockoutEnd > now)))
            {
                throw new ConflictException("This is the last platform admin who can sign in: locking them would leave nobody to run the platform. Make someone else a platform admin first.");
            }
        }

        UserAccounts.Check(await users.SetLockoutEnabledAsync(user, true));
        UserAccounts.Check(await users.SetLockoutEndDateAsync(user, command.Until ?? DateTimeOffset.MaxValue));
        // The login cookie is re-validated against the security stamp; refresh tokens are revoked now.
        UserAccounts.Check(await users.UpdateSecurityStampAsync(user));
        await authorizations.RevokeSessionsAsync(tokens, user, sessionId: null, cancellationToken);
        return await db.DescribeAsync(users, user, clock.GetUtcNow(), cancellationToken);
    }
}

internal sealed record LockUserBody(DateTimeOffset? Until);

internal static class LockUserEndpoint
{
    public static void MapLockUser(this IEndpointRouteBuilder users) =>
        users.MapPost("/{id:guid}/lock", async (Guid id, LockUserBody? body, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.LockUser(id, body?.Until), cancellationToken)))
            .WithName("LockUser").WithSummary("Lock the account (until a time, or until unlocked) and revoke its sessions")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(IdentityPermissions.UsersManage);
}
