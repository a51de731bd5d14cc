using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using Modular.Metering.Contracts;
using Modular.Metering.Domain;
using Modular.Metering.Persistence;

namespace Modular.Metering.UseCases.BillingProfiles;

public sealed class GetBillingProfileHandler(ITenantContext scope, MeteringDbContext db, IOptions<MeteringOptions> options)
    : IQueryHandler<GetBillingProfile, BillingProfileDto>
{
    public async ValueTask<BillingProfileDto> Handle(GetBillingProfile query, CancellationToken cancellationToken)
    {
        _ = scope.Tenant ?? throw new NotFoundException("Tenant", "(none in scope)");
        var chosen = await db.BillingProfiles.AsNoTracking().Select(p => p.TimeZone).FirstOrDefaultAsync(cancellationToken);
        return new BillingProfileDto(chosen ?? options.Value.BillingTimeZone, chosen is null);
    }
}

public sealed class SetBillingProfileHandler(ITenantContext scope, MeteringDbContext db, EntitlementCache cache, TimeProvider clock)
    : ICommandHandler<SetBillingProfile, BillingProfileDto>
{
    public async ValueTask<BillingProfileDto> Handle(SetBillingProfile command, CancellationToken cancellationToken)
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

        cache.ForgetTimeZone(tenant.Id);
        return new BillingProfileDto(command.TimeZone, IsDefault: false);
    }
}

internal sealed class SetBillingProfileValidator : AbstractValidator<SetBillingProfile>
{
    public SetBillingProfileValidator() =>
        RuleFor(c => c.TimeZone).NotEmpty().MaximumLength(BillingProfile.TimeZoneMaxLength)
            .Must(id => TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) && zone.HasIanaId && zone.Id == id)
            .WithMessage("An IANA time zone id, e.g. Europe/Budapest.");
}

internal static class BillingProfileEndpoints
{
    public static void MapBillingProfile(this IEndpointRouteBuilder metering)
    {
        metering.MapGet("/billing-profile", async (ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new GetBillingProfile(), cancellationToken)))
            .WithName("GetBillingProfile").WithSummary("The caller's tenant's billing time zone")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(MeteringPermissions.Read);

        metering.MapPut("/billing-profile", async (SetBillingProfile command, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(command, cancellationToken)))
            .WithName("SetBillingProfile").WithSummary("Set the caller's tenant's billing time zone")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(MeteringPermissions.Manage);
    }
}
