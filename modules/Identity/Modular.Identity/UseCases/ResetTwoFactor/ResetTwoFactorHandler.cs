using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Kernel.Security;

namespace Modular.Identity.UseCases.ResetTwoFactor;

public sealed class ResetTwoFactorHandler(UserManager<User> users, IdentityDbContext db, TimeProvider clock) : ICommandHandler<Contracts.ResetTwoFactor, UserDto>
{
    public async ValueTask<UserDto> Handle(Contracts.ResetTwoFactor command, CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(command.Id);
        UserAccounts.Check(await users.SetTwoFactorEnabledAsync(user, false));
        UserAccounts.Check(await users.ResetAuthenticatorKeyAsync(user)); // the lost device's key is useless from now on
        return await db.DescribeAsync(users, user, clock.GetUtcNow(), cancellationToken);
    }
}

internal static class ResetTwoFactorEndpoint
{
    public static void MapResetTwoFactor(this IEndpointRouteBuilder users) =>
        users.MapPost("/{id:guid}/reset-two-factor", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.ResetTwoFactor(id), cancellationToken)))
            .WithName("ResetTwoFactor").WithSummary("Turn two-factor sign-in off and forget the authenticator key")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(IdentityPermissions.UsersManage);
}
