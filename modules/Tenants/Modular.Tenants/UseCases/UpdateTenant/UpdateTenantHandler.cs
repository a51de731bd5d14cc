using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Kernel.Auditing;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Tenants.Contracts;
using Modular.Tenants.Domain;
using Modular.Tenants.Persistence;

namespace Modular.Tenants.UseCases.UpdateTenant;

public sealed class UpdateTenantHandler(TenantsDbContext db, ICaller caller, TimeProvider clock)
    : ICommandHandler<Contracts.UpdateTenant, TenantDto>
{
    public async ValueTask<TenantDto> Handle(Contracts.UpdateTenant command, CancellationToken cancellationToken)
    {
        var tenant = await db.GetTenantAsync(command.Id, cancellationToken);
        if (command.ExpectedVersion is { } expected && expected != tenant.Version)
        {
            throw new ConflictException($"Tenant '{tenant.Slug}' is at version {tenant.Version}, not {expected}; read it again and retry.");
        }

        var now = clock.GetUtcNow();
        if (command.Name is { } name)
        {
            db.Rename(tenant, name, caller, now);
        }

        if (command.Plan is { } plan && plan != tenant.Plan)
        {
            var old = tenant.Plan;
            tenant.ChangePlan(plan);
            db.Publish(new TenantPlanChanged(tenant.Id, old, plan), now);
            db.Audit(tenant.Id, caller, "tenant.plan_changed", tenant.AuditTarget(), new { old, @new = plan }, now);
        }

        if (command.Metadata is { } metadata)
        {
            var old = tenant.Metadata;
            tenant.ReplaceMetadata(metadata);
            db.Audit(tenant.Id, caller, "tenant.metadata_changed", tenant.AuditTarget(), new { old, @new = metadata }, now);
        }

        return tenant.ToDto();
    }
}

internal sealed class UpdateTenantValidator : AbstractValidator<Contracts.UpdateTenant>
{
    public UpdateTenantValidator()
    {
        RuleFor(c => c.Name!).NotEmpty().MaximumLength(Tenant.NameMaxLength).When(c => c.Name is not null);
        RuleFor(c => c.Plan!).PlanKey().When(c => c.Plan is not null);
        RuleFor(c => c.Metadata!).Metadata().When(c => c.Metadata is not null);
        RuleFor(c => c).Must(c => c.Name is not null || c.Plan is not null || c.Metadata is not null)
            .WithName("body").WithMessage("Give at least one of name, plan, metadata.");
    }
}

/// <summary>The body of <c>PATCH /tenants/{id}</c>; <c>version</c> guards against lost updates.</summary>
internal sealed record UpdateTenantBody(string? Name, string? Plan, Dictionary<string, string>? Metadata, int? Version);

internal static class UpdateTenantEndpoint
{
    public static void MapUpdateTenant(this IEndpointRouteBuilder tenants) =>
        tenants.MapPatch("/{id:guid}", async (Guid id, UpdateTenantBody body, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.UpdateTenant(id, body.Name, body.Plan, body.Metadata, body.Version), cancellationToken)))
            .WithName("UpdateTenant")
            .WithSummary("Rename a tenant, change its plan or metadata")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(TenantsPermissions.Manage);
}
