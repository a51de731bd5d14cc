using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Features.Contracts;
using Modular.Features.Domain;
using Modular.Features.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;

namespace Modular.Features.UseCases.RemoveTenantOverride;

public sealed class RemoveTenantOverrideHandler(FeaturesDbContext db, ICaller caller, TimeProvider clock)
    : ICommandHandler<Contracts.RemoveTenantOverride, FlagDto>
{
    public async ValueTask<FlagDto> Handle(Contracts.RemoveTenantOverride command, CancellationToken cancellationToken)
    {
        var flag = await db.GetFlagAsync(command.Key, cancellationToken);
        var now = clock.GetUtcNow();
        var removed = flag.RemoveOverride(command.TenantId, now) ?? throw new NotFoundException("Tenant override", $"{command.Key}/{command.TenantId}");
        db.Record(caller, "override.removed", flag.Key, command.TenantId, removed.ToDto(flag.Key), null, command.Reason, now);
        return flag.ToDto();
    }
}

internal sealed class RemoveTenantOverrideValidator : AbstractValidator<Contracts.RemoveTenantOverride>
{
    public RemoveTenantOverrideValidator() => RuleFor(c => c.Reason).Reason();
}

internal static class RemoveTenantOverrideEndpoint
{
    public static void MapRemoveTenantOverride(this IEndpointRouteBuilder flags) =>
        flags.MapDelete("/{key}/tenants/{tenantId:guid}", async (string key, Guid tenantId, ISender sender, CancellationToken cancellationToken, string? reason = null) =>
                TypedResults.Ok(await sender.Send(new Contracts.RemoveTenantOverride(key, tenantId, reason), cancellationToken)))
            .WithName("RemoveTenantOverride")
            .WithSummary("Remove a tenant's override of a feature flag")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(FeaturesPermissions.Manage);
}
