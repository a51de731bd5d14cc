using System.Globalization;
using System.Text.Json;
using FluentValidation;
using Modular.Features.Contracts;
using Modular.Features.Domain;
using Modular.Features.Evaluation;

namespace Modular.Features.UseCases;

/// <summary>Validates a whole flag definition: filters, their parameters, variants and allocation.</summary>
internal sealed class FlagSpecValidator<T> : AbstractValidator<T>
    where T : IFlagSpec
{
    private static readonly string[] RecurrencePatterns = ["Daily", "Weekly"];
    private static readonly string[] RecurrenceRanges = ["NoEnd", "EndDate", "Numbered"];
    private const int MaxFilters = 20;
    private const int MaxVariants = 50;

    public FlagSpecValidator()
    {
        RuleFor(s => s.Description).MaximumLength(FeatureFlag.DescriptionMaxLength);
        RuleFor(s => s.Owner).MaximumLength(FeatureFlag.OwnerMaxLength);
        RuleFor(s => s.Type).Must(t => t is null || FlagTypes.All.Contains(t, StringComparer.OrdinalIgnoreCase))
            .WithMessage($"Type is one of {string.Join(", ", FlagTypes.All)}.");
        RuleFor(s => s.RequirementType).Must(r => r is null || r.Equals("Any", StringComparison.OrdinalIgnoreCase) || r.Equals("All", StringComparison.OrdinalIgnoreCase))
            .WithMessage("RequirementType is Any or All.");
        RuleFor(s => s.Filters).Must(f => f is null || f.Count <= MaxFilters).WithMessage($"At most {MaxFilters} filters.");
        RuleForEach(s => s.Filters).ChildRules(filter =>
        {
            filter.RuleFor(f => f.Name).Must(n => FlagRules.FilterName(n) is not null)
                .WithMessage($"Unknown filter; use one of {string.Join(", ", FlagFilters.All)}.");
            filter.RuleFor(f => f.Parameters).Custom((_, context) => ValidateParameters(context.InstanceToValidate, context));
        });
        RuleFor(s => s.Filters).Custom(NoOverlappingWindows!).When(s => s.Filters is not null);

        RuleFor(s => s.Variants).Must(v => v is null || v.Count <= MaxVariants).WithMessage($"At most {MaxVariants} variants.")
            .Must(v => v is null || v.Select(x => x.Name).Distinct(StringComparer.Ordinal).Count() == v.Count).WithMessage("Variant names must be unique.");
        RuleForEach(s => s.Variants).ChildRules(variant =>
            variant.RuleFor(v => v.Name).NotEmpty().MaximumLength(FeatureFlag.KeyMaxLength));
        RuleFor(s => s.Allocation).Custom((allocation, context) => ValidateAllocation(allocation!, context.InstanceToValidate.Variants ?? [], context))
            .When(s => s.Allocation is not null);
    }

    private static void ValidateParameters(FilterDto filter, ValidationContext<FilterDto> context)
    {
        var name = FlagRules.FilterName(filter.Name);
        var parameters = filter.Parameters ?? default;
        switch (name)
        {
            case FlagFilters.Rollout:
                if (Number(parameters, "Percentage") is not (>= 0 and <= 100))
                {
                    context.AddFailure("Percentage is a number from 0 to 100.");
                }

                if (TryProperty(parameters, "By", out var by) &&
                    !(by.ValueKind == JsonValueKind.String && (by.GetString() is RolloutSettings.ByUser or RolloutSettings.ByTenant)))
                {
                    context.AddFailure($"By is {RolloutSettings.ByUser} or {RolloutSettings.ByTenant}.");
                }

                break;
            case FlagFilters.Percentage:
                if (Number(parameters, "Value") is not (>= 0 and <= 100))
                {
                    context.AddFailure("Value is a number from 0 to 100.");
                }

                break;
            case FlagFilters.TimeWindow:
                ValidateTimeWindow(parameters, context);
                break;
            case FlagFilters.Targeting:
                ValidateTargeting(parameters, context);
                break;
        }
    }

    private static void ValidateTimeWindow(JsonElement parameters, ValidationContext<FilterDto> context)
    {
        if (!TryDate(parameters, "Start", out var start) || !TryDate(parameters, "End", out var end))
        {
            context.AddFailure("Start and End are dates (ISO 8601).");
            return;
        }

        if (start is null && end is null)
        {
            context.AddFailure("A time window needs a Start, an End or both.");
        }
        else if (start >= end)
        {
            context.AddFailure("End must be after Start.");
        }

        if (!TryProperty(parameters, "Recurrence", out var recurrence) || recurrence.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (start is null || end is null)
        {
            context.AddFailure("A recurring window needs both Start and End.");
            return;
        }

        TryProperty(recurrence, "Pattern", out var pattern);
        TryProperty(recurrence, "Range", out var range);
        var patternType = TryProperty(pattern, "Type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;
        if (!RecurrencePatterns.Contains(patternType, StringComparer.OrdinalIgnoreCase))
        {
            context.AddFailure("Recurrence.Pattern.Type is Daily or Weekly.");
            return;
        }

        var interval = Number(pattern, "Interval") ?? 1;
        if (interval < 1 || interval != Math.Floor(interval))
        {
            context.AddFailure("Recurrence.Pattern.Interval is a whole number of at least 1.");
        }

        var period = TimeSpan.FromDays(patternType!.Equals("Weekly", StringComparison.OrdinalIgnoreCase) ? 7 * interval : interval);
        if (end - start > period)
        {
            // Longer than its period, a recurring window would overlap its own next occurrence.
            context.AddFailure("A recurring window must not last longer than its recurrence interval.");
        }

        var rangeType = TryProperty(range, "Type", out var rt) && rt.ValueKind == JsonValueKind.String ? rt.GetString() : "NoEnd";
        if (!RecurrenceRanges.Contains(rangeType, StringComparer.OrdinalIgnoreCase))
        {
            context.AddFailure("Recurrence.Range.Type is NoEnd, EndDate or Numbered.");
        }
        else if (rangeType!.Equals("EndDate", StringComparison.OrdinalIgnoreCase) && (!TryDate(range, "EndDate", out var endDate) || endDate is null || endDate < start))
        {
            context.AddFailure("Recurrence.Range.EndDate is a date after Start.");
        }
        else if (rangeType.Equals("Numbered", StringComparison.OrdinalIgnoreCase) && Number(range, "NumberOfOccurrences") is not >= 1)
        {
            context.AddFailure("Recurrence.Range.NumberOfOccurrences is at least 1.");
        }
    }

    private static void ValidateTargeting(JsonElement parameters, ValidationContext<FilterDto> context)
    {
        if (!TryProperty(parameters, "Audience", out var audience) || audience.ValueKind != JsonValueKind.Object)
        {
            context.AddFailure("Targeting needs an Audience.");
            return;
        }

        if (TryProperty(audience, "DefaultRolloutPercentage", out _) && Number(audience, "DefaultRolloutPercentage") is not (>= 0 and <= 100))
        {
            context.AddFailure("Audience.DefaultRolloutPercentage is a number from 0 to 100.");
        }

        if (TryProperty(audience, "Groups", out var groups) && groups.ValueKind == JsonValueKind.Array &&
            groups.EnumerateArray().Any(g => Number(g, "RolloutPercentage") is not (>= 0 and <= 100)))
        {
            context.AddFailure("Every Audience group has a RolloutPercentage from 0 to 100.");
        }
    }

    /// <summary>Two one-off windows of one flag must not overlap: one of them would be meaningless.</summary>
    private static void NoOverlappingWindows(IReadOnlyList<FilterDto> filters, ValidationContext<T> context)
    {
        var windows = filters
            .Where(f => FlagRules.FilterName(f.Name) == FlagFilters.TimeWindow && f.Parameters is { } p && !TryProperty(p, "Recurrence", out _))
            .Select(f => (Ok: TryDate(f.Parameters!.Value, "Start", out var s) & TryDate(f.Parameters!.Value, "End", out var e), Start: s ?? DateTimeOffset.MinValue, End: e ?? DateTimeOffset.MaxValue))
            .Where(w => w.Ok)
            .OrderBy(w => w.Start)
            .ToList();
        for (var i = 1; i < windows.Count; i++)
        {
            if (windows[i].Start < windows[i - 1].End)
            {
                context.AddFailure("filters", "Time windows of one flag must not overlap.");
                return;
            }
        }
    }

    private static void ValidateAllocation(AllocationDto allocation, IReadOnlyList<VariantDto> variants, ValidationContext<T> context)
    {
        var names = variants.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var named in new[] { allocation.DefaultWhenEnabled, allocation.DefaultWhenDisabled }
            .Concat((allocation.Percentile ?? []).Select(p => p.Variant))
            .Concat((allocation.Group ?? []).Select(g => g.Variant)))
        {
            if (named is not null && !names.Contains(named))
            {
                context.AddFailure("allocation", $"Variant '{named}' is not one of the flag's variants.");
            }
        }

        if (allocation.Percentile is not { Count: > 0 } percentiles)
        {
            return;
        }

        // The ranges must tile 0–100: every caller gets exactly one variant.
        var ordered = percentiles.OrderBy(p => p.From).ToList();
        var covered = 0.0;
        foreach (var range in ordered)
        {
            if (range.From < 0 || range.To > 100 || range.From >= range.To || range.From != covered)
            {
                context.AddFailure("allocation.percentile", "Percentile ranges must cover 0 to 100 without gaps or overlaps.");
                return;
            }

            covered = range.To;
        }

        if (covered != 100)
        {
            context.AddFailure("allocation.percentile", "Percentile allocations must sum to 100.");
        }
    }

    private static bool TryDate(JsonElement parameters, string name, out DateTimeOffset? value)
    {
        value = null;
        if (!TryProperty(parameters, name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (property.ValueKind == JsonValueKind.String &&
            DateTimeOffset.TryParse(property.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            value = parsed;
            return true;
        }

        return false;
    }

    private static bool TryProperty(JsonElement element, string name, out JsonElement value)
    {
        value = default;
        if (element.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        return false;
    }

    private static double? Number(JsonElement element, string name) =>
        TryProperty(element, name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
}
