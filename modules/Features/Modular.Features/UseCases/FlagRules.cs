using FluentValidation;
using Modular.Features.Contracts;
using Modular.Features.Domain;
using Modular.Features.Evaluation;

namespace Modular.Features.UseCases;

/// <summary>What makes a flag definition valid; shared by create and update.</summary>
internal static class FlagRules
{
    public const string KeyPattern = "^[A-Za-z][A-Za-z0-9._-]*$";

    /// <summary>Path segments of the API that a flag key would shadow.</summary>
    public static readonly IReadOnlyList<string> ReservedKeys = ["evaluate", "history", "tenants"];

    public static IRuleBuilderOptions<T, string> FlagKey<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().MaximumLength(FeatureFlag.KeyMaxLength).Matches(KeyPattern)
            .WithMessage("A key starts with a letter and has only letters, digits, '.', '_' and '-'.")
            .Must(key => !ReservedKeys.Contains(key, StringComparer.OrdinalIgnoreCase)).WithMessage($"{string.Join(", ", ReservedKeys)} are reserved.");

    public static IRuleBuilderOptions<T, string?> Reason<T>(this IRuleBuilder<T, string?> rule) => rule.MaximumLength(FeatureFlag.ReasonMaxLength);

    /// <summary>The request as stored: defaults filled in, filter names spelled in full.</summary>
    public static FlagDefinition ToDefinition(this IFlagSpec spec) => new(
        spec.Description?.Trim() ?? "",
        spec.Type?.ToLowerInvariant() ?? FlagTypes.Release,
        spec.Owner?.Trim() ?? "",
        spec.Enabled,
        spec.RequirementType is { } requirement ? Canonical(requirement, ["Any", "All"]) : "Any",
        FlagJson.Serialize((spec.Filters ?? []).Select(f => f with { Name = FilterName(f.Name)! }).ToList()),
        FlagJson.Serialize(spec.Variants ?? []),
        spec.Allocation is null ? null : FlagJson.Serialize(spec.Allocation),
        spec.StaleAfter);

    /// <summary>The full name of a filter given in full or short ("Rollout"), or null when unknown.</summary>
    public static string? FilterName(string? name) =>
        name is null ? null : FlagFilters.All.FirstOrDefault(f => f.Equals(name, StringComparison.OrdinalIgnoreCase) || f.EndsWith("." + name, StringComparison.OrdinalIgnoreCase));

    private static string Canonical(string value, string[] allowed) => allowed.FirstOrDefault(a => a.Equals(value, StringComparison.OrdinalIgnoreCase)) ?? value;
}
