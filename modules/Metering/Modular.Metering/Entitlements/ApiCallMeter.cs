using Mediator;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Modular.Kernel.Errors;
using Modular.Kernel.Tenancy;
using Modular.Kernel.Usage;
using Modular.Metering.Contracts;

namespace Modular.Metering.Entitlements;

/// <summary>
/// The metering side of the kernel's <c>.MeterApiCalls(meter)</c> filter: records one usage event per call through
/// <see cref="Contracts.RecordUsage"/> with <c>EnforceHardQuota</c>, so a call that would pass the tenant's hard quota is
/// refused and not recorded. The reservation is atomic across instances (<see cref="PeriodUsage.ReserveAsync"/>): N
/// instances together never let more calls through than the quota.
/// </summary>
internal sealed partial class ApiCallMeter(ITenantContext scope, ISender sender, EntitlementCache cache, TimeProvider clock, ILogger<ApiCallMeter> logger) : IApiCallMeter
{
    /// <summary>The CloudEvents source of the usage this filter records.</summary>
    public const string Source = "modular-api";

    public async ValueTask<ApiCallVerdict> RecordCallAsync(string meterKey, HttpContext context, CancellationToken cancellationToken)
    {
        if (scope.Tenant is null)
        {
            return ApiCallVerdict.Allow;
        }

        try
        {
            var eventType = await cache.MeterEventTypeAsync(meterKey, async () => (await sender.Send(new GetMeter(meterKey), cancellationToken)).EventType);
            var now = clock.GetUtcNow();
            var call = new UsageEvent("1.0", Guid.CreateVersion7(now).ToString(), Source, eventType, context.User.Identity?.Name ?? "anonymous", now);
            await sender.Send(new Contracts.RecordUsage([call], EnforceHardQuota: true), cancellationToken);
            return ApiCallVerdict.Allow;
        }
        catch (QuotaExceededException e)
        {
            return new ApiCallVerdict(false, e.ResetsAt, e.Message);
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
