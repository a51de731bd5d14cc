using System.Globalization;
using System.Text.Json;
using Modular.Metering.Contracts;

namespace Modular.Metering.Domain;

/// <summary>What one meter takes from one event: its value and dimensions, or why it cannot use the event.</summary>
internal readonly record struct MeterReading(double Value, string? DistinctValue, string Dimensions, string? Error)
{
    public bool IsValid => Error is null;

    /// <summary>
    /// The group-by values of one event, as stored (canonical JSON), are part of the rollup keys: PostgreSQL's index
    /// takes about 2,700 bytes a row, which the subject, a distinct value and these must share.
    /// </summary>
    public const int DimensionsMaxLength = 1000;

    public static MeterReading Read(Meter meter, JsonElement? data)
    {
        var (dimensions, values) = DimensionsOf(meter, data);
        if (dimensions.Length > DimensionsMaxLength)
        {
            var longest = values!.MaxBy(v => v.Value.Length).Key;
            return new(0, null, "{}", $"Meter '{meter.Key}' cannot group by '{longest}' ({meter.GroupBy[longest]}): "
                + $"the group-by values of an event take at most {DimensionsMaxLength} characters together, as JSON.");
        }

        if (!meter.NeedsValue)
        {
            return new(1, null, dimensions, null);
        }

        if (meter.ValuePath is null || !JsonValuePath.TryEvaluate(data, meter.ValuePath, out var value))
        {
            return Invalid(meter, $"has no value at {meter.ValuePath}");
        }

        if (meter.Aggregation == MeterAggregations.UniqueCount)
        {
            var text = JsonValuePath.AsText(value);
            return text is null or { Length: > MeterDistinctValue.ValueMaxLength } || text.Contains('\0', StringComparison.Ordinal)
                ? Invalid(meter, $"needs a scalar value of at most {MeterDistinctValue.ValueMaxLength} characters, without U+0000, at {meter.ValuePath}")
                : new(1, text, dimensions, null);
        }

        // A number, or a string holding one (OpenMeter and Stripe accept "12" as well as 12).
        var numeric = TryNumber(value, out var number);
        return numeric && double.IsFinite(number)
            ? new(number, null, dimensions, null)
            : Invalid(meter, $"needs a number at {meter.ValuePath}");

        MeterReading Invalid(Meter m, string why) => new(0, null, dimensions, $"Meter '{m.Key}' {why}.");
    }

    private static bool TryNumber(JsonElement value, out double number)
    {
        number = 0;
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetDouble(out number),
            JsonValueKind.String => double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number),
            _ => false,
        };
    }

    /// <summary>The group-by values as canonical JSON (sorted names; a missing dimension is absent), and by name.</summary>
    private static (string Json, SortedDictionary<string, string>? Values) DimensionsOf(Meter meter, JsonElement? data)
    {
        if (meter.GroupBy.Count == 0)
        {
            return ("{}", null);
        }

        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, path) in meter.GroupBy)
        {
            if (JsonValuePath.TryEvaluate(data, path, out var value) && JsonValuePath.AsText(value) is { } text)
            {
                values[name] = text;
            }
        }

        return (JsonSerializer.Serialize(values), values);
    }

    public static IReadOnlyDictionary<string, string> ParseDimensions(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];
}
