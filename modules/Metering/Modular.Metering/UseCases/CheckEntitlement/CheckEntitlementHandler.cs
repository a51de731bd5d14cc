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
using Modular.Metering.Domain;
using Modular.Metering.Entitlements;
using Modular.Metering.Persistence;

namespace Modular.Metering.UseCases.CheckEntitlement;

/// <summary>
/// Answers from <see cref="EntitlementCache"/>; on a miss the period's usage comes from the rollups through
/// <see cref="Contracts.QueryMeter"/> (never the events table), the plan and time zone from their tables.
/// </summary>
public sealed class CheckEntitlementHandler(ITenantContext scope, ISender sender, MeteringDbContext db, TimeProvider clock, IOptions<MeteringOptions> options, EntitlementCache cache)
    : IQueryHandler<Contracts.CheckEntitlement, EntitlementDto>
{
    public async ValueTask<EntitlementDto> Handle(Contracts.CheckEntitlement query, CancellationToken cancellationToken)
    {
        var tenant = scope.Tenant ?? throw new NotFoundException("Tenant", "(none in scope)");
        var quotas = await cache.PlanQuotasAsync(tenant.Plan, async () =>
            (await db.Plans.AsNoTracking().FirstOrDefaultAsync(p => p.Key == tenant.Plan, cancellationToken))?.Quotas);
        var zone = await cache.TimeZoneAsync(tenant.Id, async () => await db.BillingTimeZoneAsync(cancellationToken) ?? options.Value.BillingTimeZone);
        var period = BillingPeriod.Containing(clock.GetUtcNow(), zone);
        var usage = await cache.UsageAsync(tenant.Id, query.MeterKey, period.End, async () =>
        {
            var result = await sender.Send(new Contracts.QueryMeter(query.MeterKey, period.Start, period.End, WindowTimeZone: zone), cancellationToken);
            return (decimal)(result.Rows.Count == 0 ? 0 : result.Rows[0].Value ?? 0);
        });

        var used = usage.Used;
        if (quotas?.FirstOrDefault(q => q.Meter == query.MeterKey) is not { } quota)
        {
            return new EntitlementDto(query.MeterKey, HasAccess: true, Limit: null, used, Remaining: null, period.End, Enforcement: null);
        }

        var hasAccess = quota.Enforcement == QuotaEnforcements.Soft || used < quota.Limit;
        return new EntitlementDto(query.MeterKey, hasAccess, quota.Limit, used, Math.Max(0, quota.Limit - used), period.End, quota.Enforcement);
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
