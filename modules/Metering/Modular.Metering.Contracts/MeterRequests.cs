using Mediator;

namespace Modular.Metering.Contracts;

/// <summary>
/// Defines a meter for the whole platform. What it measures (event type, value path, aggregation,
/// group-by) is fixed once created, since its rollups were computed that way.
/// </summary>
/// <param name="Key">Stable, URL-safe name (<c>api-calls</c>), used in queries.</param>
/// <param name="ValuePath">JSON path into <c>data</c> (<c>$.tokens</c>); not needed for COUNT.</param>
/// <param name="GroupBy">Dimensions, each a name and a JSON path into <c>data</c>.</param>
public sealed record CreateMeter(
    string Key,
    string Name,
    string EventType,
    string Aggregation,
    string? ValuePath = null,
    IReadOnlyDictionary<string, string>? GroupBy = null,
    string? Description = null) : ICommand<MeterDto>;

/// <summary>Renames or re-describes a meter; what it measures cannot change.</summary>
public sealed record UpdateMeter(string Key, string Name, string? Description = null) : ICommand<MeterDto>;

/// <summary>Deletes a meter and its rollups; stored events stay.</summary>
public sealed record DeleteMeter(string Key) : ICommand<MeterDto>;

public sealed record GetMeter(string Key) : IQuery<MeterDto>;

public sealed record ListMeters : IQuery<IReadOnlyList<MeterDto>>;

public sealed record MeterDto(
    Guid Id,
    string Key,
    string Name,
    string? Description,
    string EventType,
    string Aggregation,
    string? ValuePath,
    IReadOnlyDictionary<string, string> GroupBy,
    DateTimeOffset CreatedAt);

/// <summary>How a meter combines its events' values, as in <see cref="MeterDto.Aggregation"/>.</summary>
public static class MeterAggregations
{
    public const string Sum = "SUM";
    public const string Count = "COUNT";
    public const string Avg = "AVG";
    public const string Min = "MIN";
    public const string Max = "MAX";
    public const string UniqueCount = "UNIQUE_COUNT";
    public const string Latest = "LATEST";

    public static readonly IReadOnlyList<string> All = [Sum, Count, Avg, Min, Max, UniqueCount, Latest];
}

/// <summary>
/// The meter's value for the tenant in scope over the half-open range [<paramref name="From"/>, <paramref name="To"/>),
/// in windows of <paramref name="WindowSize"/> (or one total) aligned in <paramref name="WindowTimeZone"/>.
/// </summary>
/// <param name="GroupBy">"subject" and/or the meter's dimension names.</param>
/// <param name="Subjects">Only these subjects, when given.</param>
/// <param name="Filters">Only events whose dimension has this value.</param>
public sealed record QueryMeter(
    string Key,
    DateTimeOffset From,
    DateTimeOffset To,
    string? WindowSize = null,
    string WindowTimeZone = "UTC",
    IReadOnlyList<string>? GroupBy = null,
    IReadOnlyList<string>? Subjects = null,
    IReadOnlyDictionary<string, string>? Filters = null) : IQuery<MeterQueryResult>;

public sealed record MeterQueryResult(string Meter, string Aggregation, DateTimeOffset From, DateTimeOffset To, string? WindowSize, string WindowTimeZone, IReadOnlyList<MeterQueryRow> Rows);

/// <summary>One window (and group); <see cref="Value"/> is null when no event fell into it for MIN/MAX/AVG/LATEST.</summary>
public sealed record MeterQueryRow(DateTimeOffset WindowStart, DateTimeOffset WindowEnd, string? Subject, IReadOnlyDictionary<string, string> GroupBy, double? Value);

public static class WindowSizes
{
    public const string Minute = "MINUTE";
    public const string Hour = "HOUR";
    public const string Day = "DAY";
    public const string Month = "MONTH";

    public static readonly IReadOnlyList<string> All = [Minute, Hour, Day, Month];
}
