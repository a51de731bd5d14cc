using System.Text;
using System.Text.RegularExpressions;
using AnyAscii;
using FluentValidation;
using Modular.Tenants.Configuration;
using Modular.Tenants.Domain;

namespace Modular.Tenants.UseCases;

/// <summary>Validation rules shared by the commands that set a plan or metadata.</summary>
internal static partial class TenantRules
{
    public const string SlugPattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$";

    /// <summary>A slug: a DNS label (lower-case letters, digits, inner hyphens) that is not reserved.</summary>
    public static IRuleBuilderOptions<T, string> Slug<T>(this IRuleBuilder<T, string> rule, TenantsOptions options) =>
        rule.NotEmpty().MaximumLength(Tenant.SlugMaxLength).Matches(SlugPattern)
            .WithMessage("Use lower-case letters, digits and inner hyphens only.")
            .Must(slug => !options.IsReserved(slug)).WithMessage("This slug is reserved for the platform; choose another.");

    public static bool IsReserved(this TenantsOptions options, string slug) => options.ReservedSlugs.Contains(slug, StringComparer.Ordinal);

    public static bool IsValidSlug(string slug) => slug.Length is > 0 and <= Tenant.SlugMaxLength && SlugRegex().IsMatch(slug);

    /// <summary>
    /// A slug made from an organisation's name: "Café Zürich GmbH" → "cafe-zurich-gmbh". Transliterated to ASCII first
    /// (AnyAscii: the host runs with invariant globalization, so no Unicode normalization to lean on).
    /// </summary>
    public static string SlugFrom(string name)
    {
        var slug = new StringBuilder();
        foreach (var c in name.Transliterate().ToLowerInvariant())
        {
            if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9'))
            {
                slug.Append(c);
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-'); // anything else separates words
            }
        }

        var text = slug.ToString();
        return text[..Math.Min(text.Length, Tenant.SlugMaxLength)].Trim('-');
    }

    [GeneratedRegex(SlugPattern)]
    private static partial Regex SlugRegex();
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
