namespace Modular.Features.Contracts;

/// <summary>
/// The module's paths, written once: its endpoints map their group from these, and tests, console pages and
/// <c>Location</c> headers build their links with them.
/// </summary>
public static class FeaturesRoutes
{
    /// <summary>The flags API: definitions, overrides and history for operators, evaluation for every caller.</summary>
    public const string Features = "/api/v1/features";

    /// <summary>The flags (and variants) that are on for the signed-in caller.</summary>
    public const string Evaluate = Features + "/evaluate";

    /// <summary>Every flag's changes; filter with <c>?flag=</c>, <c>?tenant=</c> and <c>?limit=</c>.</summary>
    public const string History = Features + "/history";

    /// <summary>The console's flag list.</summary>
    public const string ConsoleFeatures = "/admin/features";

    /// <summary>The console's flags page of one tenant, under <c>/{tenantId}</c>.</summary>
    public const string ConsoleTenants = ConsoleFeatures + "/tenants";

    public static string Flag(string key) => $"{Features}/{Uri.EscapeDataString(key)}";

    /// <summary>The kill switch.</summary>
    public static string FlagEnabled(string key) => $"{Flag(key)}/enabled";

    public static string FlagHistory(string key) => $"{Flag(key)}/history";

    public static string TenantOverride(string key, Guid tenantId) => $"{Flag(key)}/tenants/{tenantId}";

    /// <summary>Every override of one tenant.</summary>
    public static string TenantOverrides(Guid tenantId) => $"{Features}/tenants/{tenantId}";

    public static string ConsoleFlag(string key) => $"{ConsoleFeatures}/{Uri.EscapeDataString(key)}";

    public static string ConsoleTenantFeatures(Guid tenantId) => $"{ConsoleTenants}/{tenantId}";
}
