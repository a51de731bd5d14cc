namespace Modular.Metering.Configuration;

/// <summary>The <c>Metering</c> configuration section.</summary>
public sealed class MeteringOptions
{
    public const string Section = "Metering";

    /// <summary>How old an event may be when it arrives; late events within it still update their windows.</summary>
    public TimeSpan MaxLag { get; set; } = TimeSpan.FromDays(35);

    /// <summary>How far ahead of the server's clock an event's time may be (clock skew).</summary>
    public TimeSpan MaxFuture { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long stored events are kept (by time of receipt) before the retention job deletes them; their
    /// usage stays in the rollups. Longer than <see cref="MaxLag"/> and at least 32 days, so a resent
    /// event is still recognised as a duplicate for as long as it could be accepted.
    /// </summary>
    public TimeSpan EventRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>The most events one request may carry.</summary>
    public int MaxBatchSize { get; set; } = 1000;

    /// <summary>Where billing periods (calendar months) start and end; an IANA time zone.</summary>
    public string BillingTimeZone { get; set; } = "UTC";

    /// <summary>How long after a period ends the background closer waits for late events before closing it.</summary>
    public TimeSpan PeriodCloseGrace { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the background closer looks for ended periods.</summary>
    public TimeSpan PeriodCloseInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long entitlement checks trust a cached plan, billing time zone and meter event type (a change drops them on every instance at once; usage itself is never cached).</summary>
    public TimeSpan EntitlementCacheTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The meter (a COUNT meter) on which every call of a tenant to <c>/api/v1</c> is recorded and limited
    /// by its plan's quota; unset (the default) meters nothing.
    /// </summary>
    public string? ApiCallMeter { get; set; }

    /// <summary>Prices by plan key (the tenant's plan, as the tenants module holds it).</summary>
    public Dictionary<string, PlanOptions> Plans { get; set; } = [];
}
