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

namespace Modular.Tenants.UseCases.SuspendTenant;

public sealed class SuspendTenantHandler(TenantsDbContext db, ICaller caller, TimeProvider clock)
    : ICommandHandler<Contracts.SuspendTenant, TenantDto>
{
    public async ValueTask<TenantDto> Handle(Contracts.SuspendTenant command, CancellationToken cancellationToken)
    {
        var tenant = await db.GetTenantAsync(command.Id, cancellationToken);
        var now = clock.GetUtcNow();
        tenant.Suspend(command.Reason, now);
        db.Publish(new TenantSuspended(tenant.Id, tenant.SuspensionReason!, now), now);
        db.Audit(tenant.Id, caller, "tenant.suspended", tenant.AuditTarget(), new { reason = tenant.SuspensionReason }, now);
        return tenant.ToDto();
    }
}

internal sealed class SuspendTenantValidator : AbstractValidator<Contracts.SuspendTenant>
{
    public SuspendTenantValidator() => RuleFor(c => c.Reason).NotEmpty().MaximumLength(Tenant.ReasonMaxLength);
}

internal sealed record SuspendTenantBody(string Reason);

internal static class SuspendTenantEndpoint
{
    public static void MapSuspendTenant(this IEndpointRouteBuilder tenants) =>
        tenants.MapPost("/{id:guid}/suspend", async (Guid id, SuspendTenantBody body, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.SuspendTenant(id, body.Reason), cancellationToken)))
            .WithName("SuspendTenant")
            .WithSummary("Suspend a tenant: its tokens stop working, its data stays")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(TenantsPermissions.Manage);
}
