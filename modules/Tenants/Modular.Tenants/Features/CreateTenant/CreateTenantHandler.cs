using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Tenants.Contracts;
using Modular.Tenants.Domain;
using Modular.Tenants.Persistence;

namespace Modular.Tenants.Features.CreateTenant;

public sealed class CreateTenantHandler(TenantsDbContext db, TimeProvider clock) : ICommandHandler<Contracts.CreateTenant, TenantDto>
{
    public async ValueTask<TenantDto> Handle(Contracts.CreateTenant command, CancellationToken cancellationToken)
    {
        if (await db.Tenants.AnyAsync(t => t.Slug == command.Slug, cancellationToken))
        {
            throw new ConflictException($"A tenant with slug '{command.Slug}' already exists.");
        }

        var now = clock.GetUtcNow();
        var tenant = Tenant.Create(command.Slug, command.Name, command.Plan, now);
        db.Tenants.Add(tenant);
        db.Publish(new TenantCreated(tenant.Id, tenant.Slug, tenant.Name, tenant.Plan, now), now);
        return tenant.ToDto();
    }
}

internal sealed class CreateTenantValidator : AbstractValidator<Contracts.CreateTenant>
{
    public CreateTenantValidator()
    {
        RuleFor(c => c.Slug).NotEmpty().MaximumLength(Tenant.SlugMaxLength)
            .Matches("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
            .WithMessage("Use lower-case letters, digits and inner hyphens only.");
        RuleFor(c => c.Name).NotEmpty().MaximumLength(Tenant.NameMaxLength);
        RuleFor(c => c.Plan).MaximumLength(64).Matches("^[a-z0-9-]+$").When(c => c.Plan is not null);
    }
}

internal static class CreateTenantEndpoint
{
    public static void MapCreateTenant(this IEndpointRouteBuilder tenants) =>
        tenants.MapPost("/", async (Contracts.CreateTenant command, ISender sender, CancellationToken cancellationToken) =>
            {
                var tenant = await sender.Send(command, cancellationToken);
                return TypedResults.Created($"/api/v1/tenants/{tenant.Id}", tenant);
            })
            .WithName("CreateTenant")
            .WithSummary("Create a tenant")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(TenantsPermissions.Manage);
}
