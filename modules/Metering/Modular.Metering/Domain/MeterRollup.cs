using Modular.Kernel.Tenancy;

namespace Modular.Metering.Domain;

/// <summary>
/// A meter's events of one minute (or one hour), one subject and one set of dimension values,
/// pre-aggregated as they arrive, so queries read minutes and hours instead of events. Count, sum, min,
/// max and the latest value together answer SUM, COUNT, AVG, MIN, MAX and LATEST over any range of
/// whole minutes. Every event lands in both its minute row and its hour row: a month is then ~720 hour
/// rows per subject and dimension set instead of ~43,200 minute rows.
/// </summary>
internal sealed class MeterRollup : ITenantOwned
{
    /// <summary><see cref="PeriodMinutes"/> of a per-minute row.</summary>
    public const int Minute = 1;

    /// <summary><see cref="PeriodMinutes"/> of a per-hour row (a whole UTC hour).</summary>
    public const int Hour = 60;

    public Guid TenantId { get; init; }

    public Guid MeterId { get; init; }

    /// <summary><see cref="Minute"/> or <see cref="Hour"/>: how long from <see cref="Start"/> the row covers.</summary>
    public int PeriodMinutes { get; init; }

    public DateTimeOffset Start { get; init; }

    public string Subject { get; init; } = "";

    /// <summary>The group-by values as canonical JSON (keys in order), "{}" when the meter has none.</summary>
    public string Dimensions { get; init; } = "{}";

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
