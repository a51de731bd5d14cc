using Modular.Kernel.Tenancy;
using Modular.Metering.Contracts;

namespace Modular.Metering.Domain;

/// <summary>A platform-wide definition of what to count: which events, which value, how combined, grouped by what.</summary>
[PlatformWide("The operator defines what is metered, for every tenant.")]
internal sealed class Meter
{
    public const int KeyMaxLength = 64;
    public const int NameMaxLength = 200;
    public const int DescriptionMaxLength = 1000;
    public const int PathMaxLength = 256;
    public const int MaxGroupBy = 8;

    public Guid Id { get; private init; }

    public string Key { get; private init; } = "";

    public string Name { get; private set; } = "";

    public string? Description { get; private set; }

    public string EventType { get; private init; } = "";

    public string Aggregation { get; private init; } = "";

    public string? ValuePath { get; private init; }

    /// <summary>Dimension name → JSON path into <c>data</c>.</summary>
    public Dictionary<string, string> GroupBy { get; private init; } = [];

    public DateTimeOffset CreatedAt { get; private init; }

    public static Meter Create(CreateMeter command, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        Key = command.Key,
        Name = command.Name,
        Description = command.Description,
        EventType = command.EventType,
        Aggregation = command.Aggregation,
        ValuePath = string.IsNullOrEmpty(command.ValuePath) ? null : command.ValuePath,
        GroupBy = command.GroupBy is null ? [] : new Dictionary<string, string>(command.GroupBy),
        CreatedAt = now,
    };

    public void Rename(string name, string? description)
    {
        Name = name;
        Description = description;
    }

    /// <summary>COUNT counts events; every other aggregation needs a value from each event.</summary>
    public bool NeedsValue => Aggregation != MeterAggregations.Count;
}
