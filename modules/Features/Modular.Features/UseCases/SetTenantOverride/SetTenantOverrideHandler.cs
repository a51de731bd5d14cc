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
using Modular.Kernel.Tenancy;

namespace Modular.Features.UseCases.SetTenantOverride;

public sealed class SetTenantOverrideHandler(FeaturesDbContext db, ITenantDirectory tenants, ICaller caller, TimeProvider clock)
    : ICommandHandler<Contracts.SetTenantOverride, FlagDto>
{
    public async ValueTask<FlagDto> Handle(Contracts.SetTenantOverride command, CancellationToken cancellationToken)
    {
        var flag = await db.GetFlagAsync(command.Key, cancellationToken);
        if (await tenants.FindAsync(command.TenantId.ToString(), cancellationToken) is null)
        {
            throw new NotFoundException("Tenant", command.TenantId);
        }

        if (command.Variant is { } variant && FlagJsonVariants(flag).All(v => v != variant))
        {
            throw new RequestValidationException(new Dictionary<string, string[]> { ["variant"] = [$"Variant '{variant}' is not one of the flag's variants."] });
        }

        var now = clock.GetUtcNow();
        var old = flag.Overrides.FirstOrDefault(o => o.TenantId == command.TenantId)?.ToDto(flag.Key);
        var set = flag.SetOverride(command.TenantId, command.Enabled, command.Variant, command.ExpiresAt, now).ToDto(flag.Key);
        db.Record(caller, "override.set", flag.Key, command.TenantId, old, set, command.Reason, now);
        return flag.ToDto();
    }

    private static IEnumerable<string> FlagJsonVariants(FeatureFlag flag) => Evaluation.FlagJson.Variants(flag.VariantsJson).Select(v => v.Name);
}

internal sealed class SetTenantOverrideValidator : AbstractValidator<Contracts.SetTenantOverride>
{
    public SetTenantOverrideValidator(TimeProvider clock)
    {
        RuleFor(c => c.TenantId).NotEmpty();
        RuleFor(c => c.Variant).MaximumLength(FeatureFlag.KeyMaxLength);
        RuleFor(c => c.ExpiresAt).Must(e => e is null || e > clock.GetUtcNow()).WithMessage("ExpiresAt must be in the future.");
        RuleFor(c => c.Reason).Reason();
    }
}

/// <summary>The body of <c>PUT /api/v1/features/{key}/tenants/{tenantId}</c>.</summary>
internal sealed record SetTenantOverrideBody(bool? Enabled, string? Variant, DateTimeOffset? ExpiresAt, string? Reason);

internal static class SetTenantOverrideEndpoint
{
    public static void MapSetTenantOverride(this IEndpointRouteBuilder flags) =>
        flags.MapPut("/{key}/tenants/{tenantId:guid}", async (string key, Guid tenantId, SetTenantOverrideBody body, ISender sender, CancellationToken cancellationToken) =>
            {
                if (body.Enabled is not { } enabled)
                {
                    throw new RequestValidationException(new Dictionary<string, string[]> { ["enabled"] = ["Give enabled: true or false."] });
                }

                return TypedResults.Ok(await sender.Send(new Contracts.SetTenantOverride(key, tenantId, enabled, body.Variant, body.ExpiresAt, body.Reason), cancellationToken));
            })
            .WithName("SetTenantOverride")
            .WithSummary("Fix a feature flag's answer for one tenant")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(FeaturesPermissions.Manage);
}
