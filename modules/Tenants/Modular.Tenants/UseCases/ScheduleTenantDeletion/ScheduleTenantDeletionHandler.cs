using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Kernel.Auditing;
using Modular.Kernel.Security;
using Modular.Tenants.Contracts;
using Modular.Tenants.Domain;
using Modular.Tenants.Persistence;

namespace Modular.Tenants.UseCases.ScheduleTenantDeletion;

public sealed class ScheduleTenantDeletionHandler(TenantsDbContext db, ICaller caller, TimeProvider clock)
    : ICommandHandler<Contracts.ScheduleTenantDeletion, TenantDto>
{
    public async ValueTask<TenantDto> Handle(Contracts.ScheduleTenantDeletion command, CancellationToken cancellationToken)
    {
        var tenant = await db.GetTenantAsync(command.Id, cancellationToken);
        var now = clock.GetUtcNow();
        tenant.ScheduleDeletion(TimeSpan.FromDays(command.RetentionDays), now);
        db.Publish(new TenantDeletionScheduled(tenant.Id, tenant.PurgeAfter!.Value), now);
        db.Audit(tenant.Id, caller, "tenant.deletion_scheduled", tenant.AuditTarget(), new { command.RetentionDays, tenant.PurgeAfter }, now);
        return tenant.ToDto();
    }
}

internal sealed class ScheduleTenantDeletionValidator : AbstractValidator<Contracts.ScheduleTenantDeletion>
{
    public const int MaxRetentionDays = 3650;

    public ScheduleTenantDeletionValidator() => RuleFor(c => c.RetentionDays).InclusiveBetween(0, MaxRetentionDays);
}

internal static class ScheduleTenantDeletionEndpoint
{
    public static void MapScheduleTenantDeletion(this IEndpointRouteBuilder tenants) =>
        tenants.MapDelete("/{id:guid}", async (Guid id, ISender sender, CancellationToken cancellationToken, int retentionDays = 30) =>
                TypedResults.Accepted(TenantsRoutes.Tenant(id), await sender.Send(new Contracts.ScheduleTenantDeletion(id, retentionDays), cancellationToken)))
            .WithName("DeleteTenant")
            .WithSummary("Schedule a tenant's deletion: suspended now, purged after the retention period")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(TenantsPermissions.Manage);
}
