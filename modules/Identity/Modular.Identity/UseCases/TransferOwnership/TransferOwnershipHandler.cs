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
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.TransferOwnership;

/// <summary>
/// Ownership changes hands only on purpose: the calling owner makes another member an owner and steps down to tenant
/// admin in one transaction, so the tenant is never without an owner and never has one more by accident.
/// </summary>
public sealed class TransferOwnershipHandler(
    IdentityDbContext db, ITenantContext scope, UserManager<User> users, RoleGrants roles, GrantCheck grants, ICaller caller, TimeProvider clock,
    IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, ClusterCache cache)
    : ICommandHandler<Contracts.TransferOwnership, TenantMemberDto>
{
    public async ValueTask<TenantMemberDto> Handle(Contracts.TransferOwnership command, CancellationToken cancellationToken)
    {
        var tenantId = scope.CurrentTenantId();
        var me = caller.UserId() is { } id ? await db.GetMemberAsync(tenantId, id, cancellationToken) : null;
        if (me is not { IsOwner: true })
        {
            throw new ConflictException("Only an owner of the tenant transfers its ownership.");
        }

        if (me.UserId == command.UserId)
        {
            throw new ConflictException("You own the tenant already; name the member who should own it.");
        }

        var heir = await db.GetMemberAsync(tenantId, command.UserId, cancellationToken);
        await grants.EnsureMayGrantAsync(roles.PermissionsOf([IdentityRoles.Owner]), tenantId.ToString(), cancellationToken);
        heir.ReplaceRoles([.. heir.Roles, IdentityRoles.Owner]);
        me.ReplaceRoles([.. me.Roles.Where(r => r != IdentityRoles.Owner), IdentityRoles.TenantAdmin]);
        db.Audit(tenantId, caller, "ownership.transferred", $"user:{heir.UserId}", new { from = me.UserId, to = heir.UserId }, clock.GetUtcNow());
        await db.CommitAsync(cancellationToken);
        // The former owner's tokens still carry what only owners hold.
        await authorizations.EndSessionsInTenantAsync(tokens, cache, me.UserId, tenantId, cancellationToken);
        return heir.ToMemberDto(await users.GetAsync(heir.UserId));
    }
}

internal sealed class TransferOwnershipValidator : AbstractValidator<Contracts.TransferOwnership>
{
    public TransferOwnershipValidator() => RuleFor(c => c.UserId).NotEmpty();
}

internal sealed record TransferOwnershipBody(Guid UserId);

internal static class TransferOwnershipEndpoint
{
    public static void MapTransferOwnership(this IEndpointRouteBuilder api) =>
        api.MapPost(IdentityRoutes.TransferOwnership, async (TransferOwnershipBody body, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.TransferOwnership(body.UserId), cancellationToken)))
            .WithTags("Tenant: members")
            .WithName("TransferOwnership").WithSummary("Make another member the owner; the calling owner becomes a tenant admin")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(IdentityPermissions.OwnersManage);
}
