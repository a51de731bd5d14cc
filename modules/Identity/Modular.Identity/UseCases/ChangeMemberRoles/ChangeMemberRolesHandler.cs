using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Configuration;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Cluster;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.ChangeMemberRoles;

public sealed class ChangeMemberRolesHandler(
    IdentityDbContext db, ITenantContext scope, UserManager<User> users, RoleGrants roles, GrantCheck grants, ICaller caller, TimeProvider clock,
    IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, ClusterCache cache)
    : ICommandHandler<Contracts.ChangeMemberRoles, TenantMemberDto>
{
    public async ValueTask<TenantMemberDto> Handle(Contracts.ChangeMemberRoles command, CancellationToken cancellationToken)
    {
        var tenantId = scope.CurrentTenantId();
        var membership = await db.GetMemberAsync(tenantId, command.UserId, cancellationToken);
        var roleTakenAway = await db.ReplaceRolesAsync(membership, command.Roles, roles, grants, cancellationToken);
        db.Audit(tenantId, caller, "membership.set", $"user:{command.UserId}", new { roles = command.Roles }, clock.GetUtcNow());
        await db.CommitAsync(cancellationToken);
        if (roleTakenAway)
        {
            await authorizations.EndSessionsInTenantAsync(tokens, cache, command.UserId, tenantId, cancellationToken);
        }

        return membership.ToMemberDto(await users.GetAsync(command.UserId));
    }
}

internal sealed class ChangeMemberRolesValidator : AbstractValidator<Contracts.ChangeMemberRoles>
{
    public ChangeMemberRolesValidator()
    {
        RuleFor(c => c.Roles).NotEmpty().Must(r => r.Count <= TenantRole.MaxRolesPerMember)
            .WithMessage($"A member holds at most {TenantRole.MaxRolesPerMember} roles.");
        RuleForEach(c => c.Roles).NotEmpty().MaximumLength(TenantRole.NameMaxLength);
    }
}

internal sealed record ChangeMemberRolesBody(IReadOnlyList<string> Roles);

internal static class ChangeMemberRolesEndpoint
{
    public static void MapChangeMemberRoles(this IEndpointRouteBuilder members) =>
        members.MapPut("/{userId:guid}/roles", async (Guid userId, ChangeMemberRolesBody body, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.ChangeMemberRoles(userId, body.Roles), cancellationToken)))
            .WithName("ChangeMemberRoles").WithSummary("Replace a member's roles in the caller's tenant")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(IdentityPermissions.MembersManage);
}
