using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Account;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Federation;
using Modular.Identity.Persistence;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;

namespace Modular.Identity.UseCases.SendPasswordReset;

public sealed class SendPasswordResetHandler(UserManager<User> users, IdentityDbContext db, SsoDirectory sso, PasswordLinks links, TimeProvider clock)
    : ICommandHandler<Contracts.SendPasswordReset, UserDto>
{
    public async ValueTask<UserDto> Handle(Contracts.SendPasswordReset command, CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(command.Id);
        if (await sso.IsEnforcedAsync(user.Email, cancellationToken))
        {
            // The reset page would refuse the link: this address signs in only through its organisation's provider.
            throw new ConflictException(AccountPages.UseSingleSignOn);
        }

        links.Mail(user.Id);
        return await db.DescribeAsync(users, user, clock.GetUtcNow(), cancellationToken);
    }
}

internal static class SendPasswordResetEndpoint
{
    public static void MapSendPasswordReset(this IEndpointRouteBuilder users) =>
        users.MapPost("/{id:guid}/password-reset", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.SendPasswordReset(id), cancellationToken)))
            .WithName("SendPasswordReset").WithSummary("Mail the user a link to choose a new password")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(IdentityPermissions.UsersManage);
}
