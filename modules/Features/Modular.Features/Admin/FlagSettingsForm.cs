using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Modular.Features.Contracts;
using Modular.Kernel.Tenancy;

namespace Modular.Features.Admin;

/// <summary>
/// The parts of a flag the console edits as a form, not as JSON: what it is (description, owner, requirement, stale
/// date), whom it targets (users, tenants, plans, roles: <c>Microsoft.Targeting</c>) and when it is on (a one-off
/// <c>Microsoft.TimeWindow</c>, in UTC). What the form does not show — group percentages, exclusions, recurring
/// windows, other filters — is kept as it was.
/// </summary>
internal sealed class FlagSettingsForm
{
    private const string DateTimeFormat = "yyyy-MM-dd'T'HH:mm";
    private readonly Dictionary<string, double> _groupPercentages = new(StringComparer.Ordinal);
    private JsonNode? _exclusion;
    private string? _seed;
    private IReadOnlyList<PercentileAllocationDto>? _percentile;

    public string Description { get; set; } = "";

    public string Owner { get; set; } = "";

    public string RequirementType { get; set; } = "Any";

    public DateTime? StaleAfter { get; set; }

    /// <summary>Comma-separated lists, as an operator types them.</summary>
    public string Users { get; set; } = "";

    public string Tenants { get; set; } = "";

    public string Plans { get; set; } = "";

    public string Roles { get; set; } = "";

    /// <summary>Everyone the lists do not name gets the flag at this percentage.</summary>
    public double DefaultPercentage { get; set; }

    /// <summary>The flag's variants, each with its share of callers and the groups that always get it.</summary>
    public List<VariantRow> Variants { get; } = [];

    /// <summary>Which variant a caller gets when the flag is on for them and no share or group decides; none: the first.</summary>
    public string? DefaultWhenEnabled { get; set; }

    public string? DefaultWhenDisabled { get; set; }

    /// <summary><c>yyyy-MM-ddTHH:mm</c> (a datetime-local input's value), UTC; either may be empty.</summary>
    public string WindowStart { get; set; } = "";

    public string WindowEnd { get; set; } = "";

    public static FlagSettingsForm From(FlagDto flag, Func<Guid, string> tenantSlug)
    {
        var form = new FlagSettingsForm
        {
            Description = flag.Description,
            Owner = flag.Owner,
            RequirementType = flag.RequirementType,
            StaleAfter = flag.StaleAfter?.UtcDateTime,
        };
        if (Audience(flag) is { } audience)
        {
            form.Users = string.Join(", ", (Property(audience, "Users") as JsonArray ?? []).Select(u => u?.GetValue<string>()));
            var groups = (Property(audience, "Groups") as JsonArray ?? []).OfType<JsonObject>()
                .Select(g => (Name: Property(g, "Name")?.GetValue<string>() ?? "", Percentage: Property(g, "RolloutPercentage")?.GetValue<double>() ?? 100)).ToList();
            foreach (var (name, percentage) in groups)
            {
                form._groupPercentages[name] = percentage;
            }

            var names = groups.Select(g => g.Name).ToList();
            form.Tenants = string.Join(", ", names.Where(n => n.StartsWith("tenant:", StringComparison.Ordinal))
                .Select(n => Guid.TryParse(n["tenant:".Length..], out var id) ? tenantSlug(id) : n["tenant:".Length..]));
            form.Plans = string.Join(", ", names.Where(n => n.StartsWith("plan:", StringComparison.Ordinal)).Select(n => n["plan:".Length..]));
            form.Roles = string.Join(", ", names.Where(n => !n.StartsWith("tenant:", StringComparison.Ordinal) && !n.StartsWith("plan:", StringComparison.Ordinal)));
            form.DefaultPercentage = Property(audience, "DefaultRolloutPercentage")?.GetValue<double>() ?? 0;
            form._exclusion = Property(audience, "Exclusion")?.DeepClone();
        }

        var allocation = flag.Allocation;
        form.DefaultWhenEnabled = allocation?.DefaultWhenEnabled;
        form.DefaultWhenDisabled = allocation?.DefaultWhenDisabled;
        form._seed = allocation?.Seed;
        form._percentile = allocation?.Percentile;
        form.Variants.AddRange(flag.Variants.Select(v => new VariantRow
        {
            Name = v.Name,
            // A text that would read back as JSON ("42", "true") is shown quoted, so saving keeps it text.
            Value = v.Configuration is { ValueKind: JsonValueKind.String } text && Configuration(text.GetString() ?? "") is not { ValueKind: JsonValueKind.String }
                ? text.GetRawText()
                : v.Configuration is { ValueKind: JsonValueKind.String } plain ? plain.GetString() ?? "" : v.Configuration?.GetRawText() ?? "",
            Percent = (allocation?.Percentile ?? []).Where(p => p.Variant == v.Name).Sum(p => p.To - p.From),
            Groups = string.Join(", ", (allocation?.Group ?? []).Where(g => g.Variant == v.Name).SelectMany(g => g.Groups)),
        }));

        if (OneOffWindow(flag) is { } window && JsonNode.Parse(window.Parameters!.Value.GetRawText()) is JsonObject times)
        {
            form.WindowStart = Local(Property(times, "Start"));
            form.WindowEnd = Local(Property(times, "End"));
        }

        return form;
    }

    /// <summary>How the flag page shows a filter the form edits, in words; null for the others (shown as they are stored).</summary>
    public static string? Summarize(FlagDto flag, FilterDto filter, Func<Guid, string> tenantSlug)
    {
        var form = From(flag, tenantSlug);
        if (filter.Name == FlagFilters.Targeting)
        {
            string[] parts =
            [
                .. new[] { ("users", form.Users), ("tenants", form.Tenants), ("plans", form.Plans), ("roles", form.Roles) }
                    .Where(p => p.Item2.Length > 0).Select(p => $"{p.Item1}: {p.Item2}"),
                $"everyone else: {form.DefaultPercentage.ToString(CultureInfo.InvariantCulture)}%",
            ];
            return string.Join(" · ", parts);
        }

        return ReferenceEquals(filter, OneOffWindow(flag))
            ? $"from {(form.WindowStart.Length > 0 ? form.WindowStart.Replace('T', ' ') + " UTC" : "any time")} until {(form.WindowEnd.Length > 0 ? form.WindowEnd.Replace('T', ' ') + " UTC" : "further notice")}"
            : null;
    }

    /// <summary>The tenants the flag's targeting names (by id, in <c>tenant:&lt;id&gt;</c> groups).</summary>
    public static IEnumerable<Guid> TargetedTenants(FlagDto flag) =>
        Audience(flag) is { } audience
            ? (Property(audience, "Groups") as JsonArray ?? []).OfType<JsonObject>().Select(g => Property(g, "Name")?.GetValue<string>() ?? "")
                .Where(n => n.StartsWith("tenant:", StringComparison.Ordinal)).Select(n => Guid.TryParse(n["tenant:".Length..], out var id) ? id : Guid.Empty)
                .Where(id => id != Guid.Empty)
            : [];

    /// <summary>
    /// The flag's filters with the form's targeting and window in place of the old ones; errors by field for what
    /// cannot become a filter (an unknown tenant, a date that is not one). The API's validator judges the rest.
    /// </summary>
    public async Task<(IReadOnlyList<FilterDto> Filters, Dictionary<string, string[]> Errors)> FiltersAsync(
        FlagDto flag, ITenantDirectory tenants, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var tenantGroups = new List<string>();
        foreach (var slug in List(Tenants))
        {
            if (await tenants.FindAsync(slug, cancellationToken) is { } tenant)
            {
                tenantGroups.Add(TargetingGroups.Tenant(tenant.Id));
            }
            else
            {
                errors["tenants"] = [$"No tenant '{slug}'."];
            }
        }

        var start = ParseUtc(WindowStart, "windowStart", errors);
        var end = ParseUtc(WindowEnd, "windowEnd", errors);
        var window = OneOffWindow(flag);
        var filters = flag.Filters.Where(f => f.Name != FlagFilters.Targeting && !ReferenceEquals(f, window)).ToList();
        string[] groups = [.. tenantGroups, .. List(Plans).Select(TargetingGroups.Plan), .. List(Roles)];
        var users = List(Users).ToArray();
        if (groups.Length > 0 || users.Length > 0 || DefaultPercentage > 0 || _exclusion is not null)
        {
            var audience = new JsonObject
            {
                ["Users"] = new JsonArray([.. users.Select(u => JsonValue.Create(u))]),
                ["Groups"] = new JsonArray([.. groups.Select(g => new JsonObject { ["Name"] = g, ["RolloutPercentage"] = _groupPercentages.GetValueOrDefault(g, 100) })]),
                ["DefaultRolloutPercentage"] = DefaultPercentage,
            };
            if (_exclusion is not null)
            {
                audience["Exclusion"] = _exclusion.DeepClone();
            }

            filters.Add(new FilterDto(FlagFilters.Targeting, JsonSerializer.SerializeToElement(new JsonObject { ["Audience"] = audience })));
        }

        if (start is not null || end is not null)
        {
            filters.Add(new FilterDto(FlagFilters.TimeWindow, JsonSerializer.SerializeToElement(new { Start = start, End = end })));
        }

        return (filters, errors);
    }

    private static JsonObject? Audience(FlagDto flag) =>
        flag.Filters.FirstOrDefault(f => f.Name == FlagFilters.Targeting)?.Parameters is { } targeting
        && JsonNode.Parse(targeting.GetRawText()) is JsonObject parameters && Property(parameters, "Audience") is JsonObject audience
            ? audience
            : null;

    /// <summary>The variants as the API takes them: a value that reads as JSON stays JSON, anything else is text.</summary>
    public IReadOnlyList<VariantDto> VariantDtos() => [.. Variants.Select(v => new VariantDto(v.Name.Trim(), Configuration(v.Value)))];

    /// <summary>
    /// The allocation as the API takes it: the shares become percentile ranges laid end to end in the variants' order (the
    /// API checks they tile 0–100), the groups group allocations; none without variants.
    /// </summary>
    public AllocationDto? Allocation()
    {
        if (Variants.Count == 0)
        {
            return null;
        }

        // Unchanged shares keep their stored ranges: laid anew, they would move callers from one variant to another.
        var shares = Variants.Where(v => v.Percent > 0).GroupBy(v => v.Name.Trim()).ToDictionary(g => g.Key, g => g.Sum(v => v.Percent));
        var stored = (_percentile ?? []).GroupBy(p => p.Variant).ToDictionary(g => g.Key, g => g.Sum(p => p.To - p.From));
        var unchanged = shares.Count == stored.Count && shares.All(s => stored.TryGetValue(s.Key, out var share) && share == s.Value);
        List<PercentileAllocationDto> percentiles = unchanged ? [.. _percentile ?? []] : [];
        if (!unchanged)
        {
            var from = 0.0;
            foreach (var (name, share) in shares)
            {
                percentiles.Add(new PercentileAllocationDto(name, from, from + share));
                from += share;
            }
        }

        List<GroupAllocationDto> groups = [.. Variants.Where(v => List(v.Groups).Any()).Select(v => new GroupAllocationDto(v.Name.Trim(), [.. List(v.Groups)]))];
        return new AllocationDto(
            string.IsNullOrWhiteSpace(DefaultWhenEnabled) ? null : DefaultWhenEnabled,
            string.IsNullOrWhiteSpace(DefaultWhenDisabled) ? null : DefaultWhenDisabled,
            percentiles.Count == 0 ? null : percentiles,
            groups.Count == 0 ? null : groups,
            _seed);
    }

    private static JsonElement? Configuration(string value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<JsonElement>(value);
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(value);
        }
    }

    private static FilterDto? OneOffWindow(FlagDto flag) => flag.Filters.FirstOrDefault(f =>
        f.Name == FlagFilters.TimeWindow && f.Parameters is { ValueKind: JsonValueKind.Object } p
        && !p.EnumerateObject().Any(e => e.Name.Equals("Recurrence", StringComparison.OrdinalIgnoreCase) && e.Value.ValueKind != JsonValueKind.Null));

    private static JsonNode? Property(JsonObject json, string name) =>
        json.FirstOrDefault(p => p.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    private static IEnumerable<string> List(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal);

    private static string Local(JsonNode? value) =>
        value is not null && DateTimeOffset.TryParse(value.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time.UtcDateTime.ToString(DateTimeFormat, CultureInfo.InvariantCulture)
            : "";

    private static DateTimeOffset? ParseUtc(string text, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DateTime.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time))
        {
            return new DateTimeOffset(time, TimeSpan.Zero);
        }

        errors[field] = [$"'{text}' is not a date and time (yyyy-MM-ddTHH:mm, UTC)."];
        return null;
    }
}

/// <summary>One variant in the form: its name, its value (JSON or text), its share of callers in percent, the groups that always get it.</summary>
internal sealed class VariantRow
{
    public string Name { get; set; } = "";

    public string Value { get; set; } = "";

    public double Percent { get; set; }

    /// <summary>Comma-separated targeting groups (<c>tenant:&lt;id&gt;</c>, <c>plan:&lt;key&gt;</c>, roles).</summary>
    public string Groups { get; set; } = "";
}
