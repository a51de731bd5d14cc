using System.Globalization;
using System.Text.Json;

namespace Modular.Metering.Domain;

/// <summary>
/// The subset of JSON path a meter uses to reach into an event's <c>data</c>: <c>$.a.b</c>, <c>$.items[0].n</c>
/// (the leading <c>$.</c> may be left out). Enough for values and dimensions; no filters or wildcards.
/// </summary>
internal static class JsonValuePath
{
    /// <summary>An index has at most 9 digits, so it is an <c>int</c>: no JSON array holds a billion items.</summary>
    public const string Pattern = @"^(\$\.?)?[A-Za-z_][A-Za-z0-9_-]*(\[[0-9]{1,9}\])*(\.[A-Za-z_][A-Za-z0-9_-]*(\[[0-9]{1,9}\])*)*$";

    /// <summary>
    /// The value at <paramref name="path"/>, or false. Never throws, whatever the path: a meter stored with a path
    /// the pattern would refuse today must not fail the events of every tenant that send its type.
    /// </summary>
    public static bool TryEvaluate(JsonElement? data, string path, out JsonElement value)
    {
        value = default;
        if (data is not { ValueKind: JsonValueKind.Object } current)
        {
            return false;
        }

        var trimmed = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        foreach (var segment in trimmed.Split('.'))
        {
            var bracket = segment.IndexOf('[', StringComparison.Ordinal);
            var name = bracket < 0 ? segment : segment[..bracket];
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
            {
                return false;
            }

            while (bracket >= 0)
            {
                var close = segment.IndexOf(']', bracket);
                if (close < 0
                    || !int.TryParse(segment.AsSpan(bracket + 1, close - bracket - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                    || current.ValueKind != JsonValueKind.Array || index >= current.GetArrayLength())
                {
                    return false;
                }

                current = current[index];
                bracket = segment.IndexOf('[', close);
            }
        }

        value = current;
        return true;
    }

    /// <summary>
    /// A scalar as text (for dimensions and distinct values); null for objects, arrays and null, and for a string
    /// that is not Unicode (JSON lets "\ud800" through; .NET cannot make a string of it).
    /// </summary>
    public static string? AsText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => TryGetString(value),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    private static string? TryGetString(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
