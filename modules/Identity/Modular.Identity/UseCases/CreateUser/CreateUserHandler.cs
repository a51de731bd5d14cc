using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Account;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;

namespace Modular.Identity.UseCases.CreateUser;

public sealed class CreateUserHandler(UserManager<User> users, IdentityDbContext db, PasswordLinks links, TimeProvider clock)
    : ICommandHandler<Contracts.CreateUser, UserDto>
{
    public async ValueTask<UserDto> Handle(Contracts.CreateUser command, CancellationToken cancellationToken)
    {
        var email = command.Email.Trim();
        if (await users.FindByEmailAsync(email) is not null)
        {
            throw new ConflictException($"An account for {email} exists already.");
        }

        var now = clock.GetUtcNow();
        var user = new User { UserName = email, Email = email, DisplayName = command.DisplayName?.Trim() ?? "", CreatedAt = now };
        UserAccounts.Check(await users.CreateAsync(user)); // no password: the invitation's link sets one
        if (command.Invite)
        {
            links.Mail(user.Id);
        }

        return await db.DescribeAsync(users, user, now, cancellationToken);
    }
}

internal sealed class CreateUserValidator : AbstractValidator<Contracts.CreateUser>
{
    public CreateUserValidator()
    {
        RuleFor(c => c.Email).Must(email => AccountPages.IsEmail(email?.Trim())).WithMessage("Enter a valid email address.");
        RuleFor(c => c.DisplayName!).MaximumLength(User.DisplayNameMaxLength).When(c => c.DisplayName is not null);
    }
}

internal sealed record CreateUserBody(string Email, string? DisplayName, bool? Invite);

internal static class CreateUserEndpoint
{
    public static void MapCreateUser(this IEndpointRouteBuilder users) =>
        users.MapPost("/", async (CreateUserBody body, ISender sender, CancellationToken cancellationToken) =>
            {
                var user = await sender.Send(new Contracts.CreateUser(body.Email, body.DisplayName, body.Invite ?? true), cancellationToken);
                return TypedResults.Created($"{IdentityRoutes.Users}/{user.Id}", user);
            })
            .WithName("CreateUser").WithSummary("Create an account with no password and, unless told not to, mail it a link to choose one")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(IdentityPermissions.UsersManage);
}
