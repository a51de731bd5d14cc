using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using Modular.Metering.Contracts;
using Modular.Metering.Domain;
using Modular.Metering.Entitlements;
using Modular.Metering.Persistence;

namespace Modular.Metering.UseCases.SetBillingProfile;

public sealed class SetBillingProfileHandler(ITenantContext scope, MeteringDbContext db, EntitlementCache cache, TimeProvider clock)
    : ICommandHandler<Contracts.SetBillingProfile, BillingProfileDto>
{
    public async ValueTask<BillingProfileDto> Handle(Contracts.SetBillingProfile command, CancellationToken cancellationToken)
    {
        var tenant = scope.Tenant ?? throw new NotFoundException("Tenant", "(none in scope)");
        var profile = await db.BillingProfiles.FirstOrDefaultAsync(cancellationToken);
        if (profile is null)
        {
            db.BillingProfiles.Add(BillingProfile.Create(tenant.Id, command.TimeZone, clock.GetUtcNow()));
        }
        else
        {
            profile.ChangeTimeZone(command.TimeZone, clock.GetUtcNow());
        }

        cache.ForgetTimeZoneOnCommit(db, tenant.Id);
        return new BillingProfileDto(command.TimeZone, IsDefault: false);
    }
}

internal sealed class SetBillingProfileValidator : AbstractValidator<Contracts.SetBillingProfile>
{
    public SetBillingProfileValidator() =>
        RuleFor(c => c.TimeZone).NotEmpty().MaximumLength(BillingProfile.TimeZoneMaxLength)
            .Must(id => TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) && zone.HasIanaId && zone.Id == id)
            .WithMessage("An IANA time zone id, e.g. Europe/Budapest.");
}

internal static class SetBillingProfileEndpoint
{
    public static void MapSetBillingProfile(this IEndpointRouteBuilder metering) =>
        metering.MapPut("/billing-profile", async (Contracts.SetBillingProfile command, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(command, cancellationToken)))
            .WithName("SetBillingProfile").WithSummary("Set the caller's tenant's billing time zone")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(MeteringPermissions.BillingManage);
}
