using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using Modular.Metering.Configuration;
using Modular.Metering.Contracts;
using Modular.Metering.Persistence;

namespace Modular.Metering.UseCases.GetBillingProfile;

public sealed class GetBillingProfileHandler(ITenantContext scope, MeteringDbContext db, IOptions<MeteringOptions> options)
    : IQueryHandler<Contracts.GetBillingProfile, BillingProfileDto>
{
    public async ValueTask<BillingProfileDto> Handle(Contracts.GetBillingProfile query, CancellationToken cancellationToken)
    {
        _ = scope.Tenant ?? throw new NotFoundException("Tenant", "(none in scope)");
        var chosen = await db.BillingProfiles.AsNoTracking().Select(p => p.TimeZone).FirstOrDefaultAsync(cancellationToken);
        return new BillingProfileDto(chosen ?? options.Value.BillingTimeZone, chosen is null);
    }
}

internal static class GetBillingProfileEndpoint
{
    public static void MapGetBillingProfile(this IEndpointRouteBuilder metering) =>
        metering.MapGet("/billing-profile", async (ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.GetBillingProfile(), cancellationToken)))
            .WithName("GetBillingProfile").WithSummary("The caller's tenant's billing time zone")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(MeteringPermissions.Read);
}
