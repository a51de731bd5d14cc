using FluentValidation;
using Modular.Tenants.Domain;

namespace Modular.Tenants.UseCases;

/// <summary>Validation rules shared by the commands that set a plan or metadata.</summary>
internal static class TenantRules
{
    public const string SlugPattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$";
    public const int MaxMetadataEntries = 50;
    public const int MaxMetadataKeyLength = 64;
    public const int MaxMetadataValueLength = 1024;

    public static IRuleBuilderOptions<T, string> PlanKey<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().MaximumLength(Tenant.PlanMaxLength).Matches("^[a-z0-9-]+$")
            .WithMessage("A plan key uses lower-case letters, digits and hyphens.");

    public static IRuleBuilderOptions<T, IReadOnlyDictionary<string, string>> Metadata<T>(this IRuleBuilder<T, IReadOnlyDictionary<string, string>> rule) =>
        rule.Must(m => m.Count <= MaxMetadataEntries)
            .WithMessage($"At most {MaxMetadataEntries} metadata entries.")
            .Must(m => m.All(e => e.Key.Length is > 0 and <= MaxMetadataKeyLength && (e.Value?.Length ?? 0) <= MaxMetadataValueLength))
            .WithMessage($"Metadata keys are 1-{MaxMetadataKeyLength} characters, values at most {MaxMetadataValueLength}.");
}
