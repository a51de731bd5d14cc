using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Modular.Features.Contracts;

namespace Modular.Features.Evaluation;

/// <summary>
/// The stored JSON of filters, variants and allocation, and its translation into the
/// <see cref="IConfiguration"/> shape Microsoft.FeatureManagement binds filter parameters from.
/// </summary>
internal static class FlagJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static IReadOnlyList<FilterDto> Filters(string json) => JsonSerializer.Deserialize<List<FilterDto>>(json, Options) ?? [];

    public static IReadOnlyList<VariantDto> Variants(string json) => JsonSerializer.Deserialize<List<VariantDto>>(json, Options) ?? [];

    public static AllocationDto? Allocation(string? json) => json is null ? null : JsonSerializer.Deserialize<AllocationDto>(json, Options);

    /// <summary>A JSON value as configuration: objects become sections, arrays indexed sections.</summary>
    public static IConfiguration ToConfiguration(JsonElement? value)
    {
        var pairs = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (value is { } element)
        {
            Flatten(element, null, pairs);
        }

        return new ConfigurationBuilder().AddInMemoryCollection(pairs).Build();
    }

    /// <summary>A JSON value as the configuration section a variant carries.</summary>
    public static IConfigurationSection ToSection(JsonElement? value)
    {
        const string Root = "value";
        var pairs = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (value is { } element)
        {
            Flatten(element, Root, pairs);
        }

        return new ConfigurationBuilder().AddInMemoryCollection(pairs).Build().GetSection(Root);
    }

    private static void Flatten(JsonElement element, string? path, Dictionary<string, string?> pairs)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, Combine(path, property.Name), pairs);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, Combine(path, (index++).ToString(CultureInfo.InvariantCulture)), pairs);
                }

                break;
            case JsonValueKind.String:
                pairs[path ?? ""] = element.GetString();
                break;
            case JsonValueKind.Null or JsonValueKind.Undefined:
                pairs[path ?? ""] = null;
                break;
            default:
                pairs[path ?? ""] = element.GetRawText(); // numbers and booleans, as configuration spells them
                break;
        }
    }

    private static string Combine(string? path, string key) => path is null ? key : path + ConfigurationPath.KeyDelimiter + key;
}
