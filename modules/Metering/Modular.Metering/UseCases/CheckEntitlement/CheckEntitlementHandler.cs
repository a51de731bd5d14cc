using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using Modular.Metering.Contracts;
using Modular.Metering.Entitlements;

namespace Modular.Metering.UseCases.CheckEntitlement;

/// <summary>
/// Answers exactly, on any instance: the plan's quota (cached until the plan changes) against the period's usage read
/// from the rollups through <see cref="Contracts.QueryMeter"/> (never the event table).
/// </summary>
public sealed class CheckEntitlementHandler(ITenantContext scope, PeriodUsage usage) : IQueryHandler<Contracts.CheckEntitlement, EntitlementDto>
{
    public async ValueTask<EntitlementDto> Handle(Contracts.CheckEntitlement query, CancellationToken cancellationToken)
    {
        var tenant = scope.Tenant ?? throw new NotFoundException("Tenant", "(none in scope)");
        return (await usage.StandingAsync(tenant, query.MeterKey, cancellationToken)).ToDto();
    }
}

internal static class CheckEntitlementEndpoint
{
    public static void MapCheckEntitlement(this IEndpointRouteBuilder metering) =>
        metering.MapGet("/entitlements/{meterKey}", async (string meterKey, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.CheckEntitlement(meterKey), cancellationToken)))
            .WithName("CheckEntitlement")
            .WithSummary("Whether the caller's tenant may use a meter now, its quota, usage and what is left this period")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(MeteringPermissions.Read);
}
