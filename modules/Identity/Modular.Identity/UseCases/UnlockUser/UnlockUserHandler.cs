using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Kernel.Security;

namespace Modular.Identity.UseCases.UnlockUser;

public sealed class UnlockUserHandler(UserManager<User> users, IdentityDbContext db, TimeProvider clock) : ICommandHandler<Contracts.UnlockUser, UserDto>
{
    public async ValueTask<UserDto> Handle(Contracts.UnlockUser command, CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(command.Id);
        UserAccounts.Check(await users.SetLockoutEndDateAsync(user, null));
        UserAccounts.Check(await users.ResetAccessFailedCountAsync(user));
        return await db.DescribeAsync(users, user, clock.GetUtcNow(), cancellationToken);
    }
}

internal static class UnlockUserEndpoint
{
    public static void MapUnlockUser(this IEndpointRouteBuilder users) =>
        users.MapPost("/{id:guid}/unlock", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.UnlockUser(id), cancellationToken)))
            .WithName("UnlockUser").WithSummary("End a lock and reset the failed sign-in count")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(IdentityPermissions.UsersManage);
}
