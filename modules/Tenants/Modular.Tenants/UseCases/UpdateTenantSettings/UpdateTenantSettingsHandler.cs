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
using Modular.Kernel.Tenancy;
using Modular.Tenants.Configuration;
using Modular.Tenants.Contracts;
using Modular.Tenants.Domain;
using Modular.Tenants.Persistence;

namespace Modular.Tenants.UseCases.UpdateTenantSettings;

/// <summary>
/// A tenant's own admins rename it or give it another slug: the tenant is the one in the caller's scope, never one named
/// in the request. A slug change is audited and published, so the directory stops resolving the old slug.
/// </summary>
public sealed class UpdateTenantSettingsHandler(TenantsDbContext db, ITenantContext scope, ICaller caller, TimeProvider clock)
    : ICommandHandler<Contracts.UpdateTenantSettings, TenantDto>
{
    public async ValueTask<TenantDto> Handle(Contracts.UpdateTenantSettings command, CancellationToken cancellationToken)
    {
        var current = scope.Tenant ?? throw new NotFoundException("Tenant", "(none in scope)");
        var tenant = await db.GetTenantAsync(current.Id, cancellationToken);
        if (command.ExpectedVersion is { } expected && expected != tenant.Version)
        {
            throw new ConflictException($"Tenant '{tenant.Slug}' is at version {tenant.Version}, not {expected}; read it again and retry.");
        }

        var now = clock.GetUtcNow();
        if (command.Name is { } name)
        {
            db.Rename(tenant, name, caller, now);
        }

        if (command.Slug is { } slug && slug != tenant.Slug)
        {
            // The validator said it was free; a concurrent taker still loses at the unique index (409).
            var old = tenant.Slug;
            tenant.ChangeSlug(slug);
            db.Publish(new TenantSlugChanged(tenant.Id, old, slug), now);
            db.Audit(tenant.Id, caller, "tenant.slug_changed", tenant.AuditTarget(), new { old, @new = slug }, now);
        }

        return tenant.ToDto();
    }
}

internal sealed class UpdateTenantSettingsValidator : AbstractValidator<Contracts.UpdateTenantSettings>
{
    public UpdateTenantSettingsValidator(IOptions<TenantsOptions> options, TenantsDbContext db, ITenantContext scope)
    {
        RuleFor(c => c.Name!).NotEmpty().MaximumLength(Tenant.NameMaxLength).When(c => c.Name is not null);
        RuleFor(c => c.Slug!).Cascade(CascadeMode.Stop).Slug(options.Value)
            .MustAsync(async (slug, cancellationToken) => !await db.Tenants.AnyAsync(t => t.Slug == slug && t.Id != scope.Tenant!.Id, cancellationToken))
            .WithMessage("This slug is taken; choose another.")
            .When(c => c.Slug is not null && scope.Tenant is not null);
        RuleFor(c => c).Must(c => c.Name is not null || c.Slug is not null)
            .WithName("body").WithMessage("Give at least one of name, slug.");
    }
}

/// <summary>The body of <c>PATCH /tenant</c>; <c>version</c> guards against lost updates.</summary>
internal sealed record UpdateTenantSettingsBody(string? Name, string? Slug, int? Version);

internal static class UpdateTenantSettingsEndpoint
{
    public static void MapUpdateTenantSettings(this IEndpointRouteBuilder tenant) =>
        tenant.MapPatch("/", async (UpdateTenantSettingsBody body, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.UpdateTenantSettings(body.Name, body.Slug, body.Version), cancellationToken)))
            .WithName("UpdateTenantSettings")
            .WithSummary("Rename the caller's tenant or change its slug")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(TenantsPermissions.SettingsManage);
}
