using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Modular.Kernel.Auditing;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Tenants.Configuration;
using Modular.Tenants.Contracts;
using Modular.Tenants.Domain;
using Modular.Tenants.Persistence;

namespace Modular.Tenants.UseCases.CreateTenant;

/// <summary>
/// Creates the tenant and runs every module's provisioning step before committing it. A failing step
/// (or a failing commit) undoes the steps already run, newest first, so no half-created tenant is left.
/// </summary>
public sealed class CreateTenantHandler(
    TenantsDbContext db, IEnumerable<ITenantProvisioningStep> steps, ICaller caller, TimeProvider clock)
    : ICommandHandler<Contracts.CreateTenant, TenantDto>
{
    public async ValueTask<TenantDto> Handle(Contracts.CreateTenant command, CancellationToken cancellationToken)
    {
        if (await db.Tenants.AnyAsync(t => t.Slug == command.Slug, cancellationToken))
        {
            throw new ConflictException($"A tenant with slug '{command.Slug}' already exists.");
        }

        var now = clock.GetUtcNow();
        var tenant = Tenant.Create(command.Slug, command.Name, command.Plan, command.Metadata, now, command.PendingActivation);
        var provisioning = new NewTenant(tenant.Id, tenant.Slug, tenant.Name, tenant.Plan);
        var done = new Stack<ITenantProvisioningStep>();
        try
        {
            foreach (var step in steps)
            {
                done.Push(step);
                await step.ProvisionAsync(provisioning, cancellationToken);
            }

            db.Tenants.Add(tenant);
            db.Publish(new TenantCreated(tenant.Id, tenant.Slug, tenant.Name, tenant.Plan, now), now);
            db.Audit(tenant.Id, caller, "tenant.created", tenant.AuditTarget(), new { tenant.Slug, tenant.Name, tenant.Plan, command.PendingActivation }, now);
            await db.CommitAsync(cancellationToken);
        }
        catch (Exception failure) when (done.Count > 0)
        {
            while (done.TryPop(out var step))
            {
                await step.UndoAsync(provisioning, CancellationToken.None);
            }

            if (failure is ProblemException or DbUpdateException)
            {
                throw;
            }

            throw new TenantProvisioningFailedException(tenant.Slug, failure);
        }

        return tenant.ToDto();
    }
}

internal sealed class CreateTenantValidator : AbstractValidator<Contracts.CreateTenant>
{
    public CreateTenantValidator(IOptions<TenantsOptions> options)
    {
        RuleFor(c => c.Slug).Slug(options.Value);
        RuleFor(c => c.Name).NotEmpty().MaximumLength(Tenant.NameMaxLength);
        RuleFor(c => c.Plan!).PlanKey().When(c => c.Plan is not null);
        RuleFor(c => c.Metadata!).Metadata().When(c => c.Metadata is not null);
    }
}

/// <summary>A provisioning step failed; the tenant was not created and the steps were undone.</summary>
internal sealed class TenantProvisioningFailedException(string slug, Exception inner)
    : ProblemException("Tenant provisioning failed", $"Tenant '{slug}' could not be provisioned and was not created; retry later.")
{
    public Exception Failure { get; } = inner;

    public override int Status => StatusCodes.Status503ServiceUnavailable;

    public override string Type => "urn:modular:problem:tenant-provisioning-failed";
}

internal static class CreateTenantEndpoint
{
    public static void MapCreateTenant(this IEndpointRouteBuilder tenants) =>
        tenants.MapPost("/", async (Contracts.CreateTenant command, ISender sender, CancellationToken cancellationToken) =>
            {
                var tenant = await sender.Send(command, cancellationToken);
                return TypedResults.Created(TenantsRoutes.Tenant(tenant.Id), tenant);
            })
            .WithName("CreateTenant")
            .WithSummary("Create a tenant")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequirePermission(TenantsPermissions.Manage);
}
