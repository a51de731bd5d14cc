using Modular.Kernel.Tenancy;

namespace Modular.Metering.Domain;

/// <summary>
/// A meter's events of one minute, one subject and one set of dimension values, pre-aggregated as
/// they arrive, so queries read minutes instead of events. Count, sum, min, max and the latest value
/// together answer SUM, COUNT, AVG, MIN, MAX and LATEST over any range of whole minutes.
/// </summary>
internal sealed class MeterRollup : ITenantOwned
{
    public Guid TenantId { get; init; }

    public Guid MeterId { get; init; }

    public string Subject { get; init; } = "";

    /// <summary>The group-by values as canonical JSON (keys in order), "{}" when the meter has none.</summary>
    public string Dimensions { get; init; } = "{}";

    public DateTimeOffset Minute { get; init; }

    public long Count { get; init; }

    public double Sum { get; init; }

    public double Min { get; init; }

    public double Max { get; init; }

    public DateTimeOffset LatestTime { get; init; }

    public double LatestValue { get; init; }
}

/// <summary>The distinct values an UNIQUE_COUNT meter saw per minute, subject and dimensions; counted distinct over a range.</summary>
internal sealed class MeterDistinctValue : ITenantOwned
{
    public const int ValueMaxLength = 256;

    public Guid TenantId { get; init; }

    public Guid MeterId { get; init; }

    public string Subject { get; init; } = "";

    public string Dimensions { get; init; } = "{}";

    public DateTimeOffset Minute { get; init; }

    public string Value { get; init; } = "";
}
