using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Kernel.Security;

namespace Modular.Identity.UseCases.GetUser;

public sealed class GetUserHandler(UserManager<User> users, IdentityDbContext db, TimeProvider clock) : IQueryHandler<Contracts.GetUser, UserDto>
{
    public async ValueTask<UserDto> Handle(Contracts.GetUser query, CancellationToken cancellationToken) =>
        await db.DescribeAsync(users, await users.GetAsync(query.Id), clock.GetUtcNow(), cancellationToken);
}

internal static class GetUserEndpoint
{
    public static void MapGetUser(this IEndpointRouteBuilder users) =>
        users.MapGet("/{id:guid}", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.GetUser(id), cancellationToken)))
            .WithName("GetUser").WithSummary("One user with platform roles and tenant memberships")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(IdentityPermissions.UsersRead);
}
