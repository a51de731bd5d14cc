using Mediator;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Modular.Kernel.Errors;
using Modular.Kernel.Tenancy;
using Modular.Kernel.Usage;
using Modular.Metering.Contracts;

namespace Modular.Metering.Entitlements;

/// <summary>
/// The metering side of the kernel's <c>.MeterApiCalls(meter)</c> filter: refuses a call once the tenant's
/// hard quota is used up, otherwise records one usage event through <see cref="Contracts.RecordUsage"/> (like any
/// module would) and adds it to the cached total at once. The check and the recording are not one
/// atomic step, so concurrent calls (and other instances, until their cache refreshes) may pass the
/// limit by a few calls: a quota here is a business limit, not a security boundary.
/// </summary>
internal sealed partial class ApiCallMeter(ITenantContext scope, ISender sender, EntitlementCache cache, TimeProvider clock, ILogger<ApiCallMeter> logger) : IApiCallMeter
{
    /// <summary>The CloudEvents source of the usage this filter records.</summary>
    public const string Source = "modular-api";

    public async ValueTask<ApiCallVerdict> RecordCallAsync(string meterKey, HttpContext context, CancellationToken cancellationToken)
    {
        if (scope.Tenant is not { } tenant)
        {
            return ApiCallVerdict.Allow;
        }

        try
        {
            var entitlement = await sender.Send(new CheckEntitlement(meterKey), cancellationToken);
            if (!entitlement.HasAccess)
            {
                return new ApiCallVerdict(false, entitlement.ResetsAt, $"The quota of {entitlement.Limit} '{meterKey}' per billing period is used up; it resets at {entitlement.ResetsAt:O}.");
            }

            var eventType = await cache.MeterEventTypeAsync(meterKey, async () => (await sender.Send(new GetMeter(meterKey), cancellationToken)).EventType);
            var now = clock.GetUtcNow();
            var call = new UsageEvent("1.0", Guid.CreateVersion7(now).ToString(), Source, eventType, context.User.Identity?.Name ?? "anonymous", now);
            await sender.Send(new Contracts.RecordUsage([call]), cancellationToken);
            cache.Add(tenant.Id, meterKey, entitlement.ResetsAt, 1);
            return ApiCallVerdict.Allow;
        }
        catch (NotFoundException e)
        {
            // A misconfigured meter must not take the whole API down: the call passes, unmetered.
            LogUnknownMeter(logger, meterKey, e.Message);
            return ApiCallVerdict.Allow;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "API calls are not metered on {Meter}: {Reason}")]
    private static partial void LogUnknownMeter(ILogger logger, string meter, string reason);
}
