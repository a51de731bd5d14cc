using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Kernel.Security;

namespace Modular.Identity.UseCases.ConfirmUserEmail;

public sealed class ConfirmUserEmailHandler(UserManager<User> users, IdentityDbContext db, TimeProvider clock) : ICommandHandler<Contracts.ConfirmUserEmail, UserDto>
{
    public async ValueTask<UserDto> Handle(Contracts.ConfirmUserEmail command, CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(command.Id);
        if (!user.EmailConfirmed)
        {
            UserAccounts.Check(await users.ConfirmEmailAsync(user, await users.GenerateEmailConfirmationTokenAsync(user)));
        }

        return await db.DescribeAsync(users, user, clock.GetUtcNow(), cancellationToken);
    }
}

internal static class ConfirmUserEmailEndpoint
{
    public static void MapConfirmUserEmail(this IEndpointRouteBuilder users) =>
        users.MapPost("/{id:guid}/confirm-email", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.ConfirmUserEmail(id), cancellationToken)))
            .WithName("ConfirmUserEmail").WithSummary("Mark the user's address confirmed, as the operator vouches for it")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(IdentityPermissions.UsersManage);
}
