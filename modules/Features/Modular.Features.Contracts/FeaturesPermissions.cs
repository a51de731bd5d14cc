namespace Modular.Features.Contracts;

/// <summary>Flags are platform-wide: only platform operators read or change them.</summary>
public static class FeaturesPermissions
{
    public const string Read = "features.read";
    public const string Manage = "features.manage";
}

/// <summary>What a flag is for, which decides how long it may live (<see cref="FlagDto.StaleAfter"/>).</summary>
public static class FlagTypes
{
    public const string Release = "release";
    public const string Experiment = "experiment";
    public const string Ops = "ops";
    public const string Permission = "permission";

    public static readonly IReadOnlyList<string> All = [Release, Experiment, Ops, Permission];
}

/// <summary>
/// The filters a flag may use. <see cref="Rollout"/> is the deterministic percentage (by user or by
/// tenant); <see cref="Percentage"/> is Microsoft.FeatureManagement's random one, new at every evaluation.
/// </summary>
public static class FlagFilters
{
    public const string Rollout = "Modular.Rollout";
    public const string Percentage = "Microsoft.Percentage";
    public const string TimeWindow = "Microsoft.TimeWindow";
    public const string Targeting = "Microsoft.Targeting";

    public static readonly IReadOnlyList<string> All = [Rollout, Percentage, TimeWindow, Targeting];
}

/// <summary>The targeting groups every caller is placed in, so filters can name tenants and plans.</summary>
public static class TargetingGroups
{
    public static string Tenant(Guid tenantId) => $"tenant:{tenantId}";

    public static string Plan(string plan) => $"plan:{plan}";
}
