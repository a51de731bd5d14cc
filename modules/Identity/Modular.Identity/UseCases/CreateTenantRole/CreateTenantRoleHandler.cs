using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Identity.Configuration;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;

namespace Modular.Identity.UseCases.CreateTenantRole;

public sealed class CreateTenantRoleHandler(IdentityDbContext db, ITenantContext scope, GrantCheck grants, ICaller caller, TimeProvider clock)
    : ICommandHandler<Contracts.CreateTenantRole, TenantRoleDto>
{
    public async ValueTask<TenantRoleDto> Handle(Contracts.CreateTenantRole command, CancellationToken cancellationToken)
    {
        var tenantId = scope.CurrentTenantId();
        await grants.EnsureMayGrantAsync(command.Permissions, tenantId.ToString(), cancellationToken);
        if (await db.TenantRoles.AnyAsync(r => r.TenantId == tenantId && r.Name == command.Name, cancellationToken))
        {
            throw new ConflictException($"The tenant has a role '{command.Name}' already.");
        }

        var now = clock.GetUtcNow();
        var role = TenantRole.Create(tenantId, command.Name, command.Description, command.Permissions, now);
        db.TenantRoles.Add(role);
        db.Audit(tenantId, caller, "role.created", $"role:{role.Name}", new { permissions = role.Permissions }, now);
        return role.ToDto();
    }
}

internal sealed class CreateTenantRoleValidator : AbstractValidator<Contracts.CreateTenantRole>
{
    public CreateTenantRoleValidator(RoleGrants grants)
    {
        RuleFor(c => c.Name).RoleName()
            .Must(name => !grants.IsBuiltIn(name)).WithMessage("'{PropertyValue}' is a built-in role's name.");
        RuleFor(c => c.Description).MaximumLength(TenantRole.DescriptionMaxLength);
        RuleFor(c => c.Permissions).PermissionCount();
        RuleForEach(c => c.Permissions).Assignable(grants);
    }
}

internal static class CreateTenantRoleEndpoint
{
    public static void MapCreateTenantRole(this IEndpointRouteBuilder roles) =>
        roles.MapPost("/", async (Contracts.CreateTenantRole body, ISender sender, CancellationToken cancellationToken) =>
            {
                var created = await sender.Send(body, cancellationToken);
                return TypedResults.Created(IdentityRoutes.TenantRole(created.Name), created);
            })
            .WithName("CreateTenantRole").WithSummary("Make a role for the caller's tenant from permissions the caller holds")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(IdentityPermissions.RolesManage);
}
