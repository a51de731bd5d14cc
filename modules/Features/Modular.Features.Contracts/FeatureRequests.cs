using System.Text.Json;
using Mediator;

namespace Modular.Features.Contracts;

// Asked by other modules and front ends: answers for the current caller (user, tenant, plan, roles).

/// <summary>Whether <paramref name="Flag"/> is on for the caller; an unknown flag is off.</summary>
public sealed record IsFeatureEnabled(string Flag) : IQuery<bool>;

/// <summary>Every flag that is on for the caller, with its variant when it has one.</summary>
public sealed record EvaluateFeatures : IQuery<FeatureEvaluationDto>;

public sealed record FeatureEvaluationDto(IReadOnlyList<string> Enabled, IReadOnlyDictionary<string, string> Variants);

// Platform administration of the definitions.

/// <summary>Flags ordered by key; <paramref name="Search"/> matches key, description or owner.</summary>
public sealed record ListFlags(string? Search = null, string? Type = null) : IQuery<IReadOnlyList<FlagDto>>;

public sealed record GetFlag(string Key) : IQuery<FlagDto>;

/// <summary>What a flag is: everything but its key, replaced as a whole by <see cref="UpdateFlag"/>.</summary>
public interface IFlagSpec
{
    string? Description { get; }

    /// <summary>One of <see cref="FlagTypes.All"/>; "release" when not given.</summary>
    string? Type { get; }

    string? Owner { get; }

    /// <summary>The kill switch: off means off, whatever the filters or overrides say.</summary>
    bool Enabled { get; }

    /// <summary>"Any" (default) or "All" of the filters.</summary>
    string? RequirementType { get; }

    IReadOnlyList<FilterDto>? Filters { get; }

    IReadOnlyList<VariantDto>? Variants { get; }

    AllocationDto? Allocation { get; }

    /// <summary>When the flag should be gone from the code; shown, never enforced.</summary>
    DateTimeOffset? StaleAfter { get; }
}

/// <param name="Name">One of <see cref="FlagFilters.All"/>.</param>
/// <param name="Parameters">The filter's parameters, as in the <c>feature_management</c> schema.</param>
public sealed record FilterDto(string Name, JsonElement? Parameters = null);

public sealed record VariantDto(string Name, JsonElement? Configuration = null);

/// <summary>Which variant a caller gets; percentiles must cover 0–100 exactly once.</summary>
public sealed record AllocationDto(
    string? DefaultWhenEnabled = null,
    string? DefaultWhenDisabled = null,
    IReadOnlyList<PercentileAllocationDto>? Percentile = null,
    IReadOnlyList<GroupAllocationDto>? Group = null,
    string? Seed = null);

public sealed record PercentileAllocationDto(string Variant, double From, double To);

public sealed record GroupAllocationDto(string Variant, IReadOnlyList<string> Groups);

public sealed record CreateFlag(
    string Key,
    string? Description = null,
    string? Type = null,
    string? Owner = null,
    bool Enabled = true,
    string? RequirementType = null,
    IReadOnlyList<FilterDto>? Filters = null,
    IReadOnlyList<VariantDto>? Variants = null,
    AllocationDto? Allocation = null,
    DateTimeOffset? StaleAfter = null,
    string? Reason = null) : ICommand<FlagDto>, IFlagSpec;

/// <summary>Replaces the definition; <paramref name="Version"/> must be the flag's current version (else 409).</summary>
public sealed record UpdateFlag(
    string Key,
    int Version,
    string? Description = null,
    string? Type = null,
    string? Owner = null,
    bool Enabled = true,
    string? RequirementType = null,
    IReadOnlyList<FilterDto>? Filters = null,
    IReadOnlyList<VariantDto>? Variants = null,
    AllocationDto? Allocation = null,
    DateTimeOffset? StaleAfter = null,
    string? Reason = null) : ICommand<FlagDto>, IFlagSpec;

/// <summary>The kill switch alone, so an incident needs no full definition.</summary>
public sealed record SetFlagEnabled(string Key, bool Enabled, string? Reason = null, int? Version = null) : ICommand<FlagDto>;

public sealed record DeleteFlag(string Key, string? Reason = null) : ICommand;

/// <summary>
/// Fixes the flag's answer (and variant) for one tenant, ahead of its filters and until
/// <paramref name="ExpiresAt"/>; the kill switch still wins.
/// </summary>
public sealed record SetTenantOverride(string Key, Guid TenantId, bool Enabled, string? Variant = null, DateTimeOffset? ExpiresAt = null, string? Reason = null)
    : ICommand<FlagDto>;

public sealed record RemoveTenantOverride(string Key, Guid TenantId, string? Reason = null) : ICommand<FlagDto>;

/// <summary>The overrides one tenant has, across flags.</summary>
public sealed record GetTenantOverrides(Guid TenantId) : IQuery<IReadOnlyList<TenantOverrideDto>>;

/// <summary>The change history, newest first, of one flag, one tenant's overrides, or everything.</summary>
public sealed record GetFlagHistory(string? Key = null, Guid? TenantId = null, int Limit = 100) : IQuery<IReadOnlyList<FlagChangeDto>>;

public sealed record FlagDto(
    string Key,
    string Description,
    string Type,
    string Owner,
    bool Enabled,
    string RequirementType,
    IReadOnlyList<FilterDto> Filters,
    IReadOnlyList<VariantDto> Variants,
    AllocationDto? Allocation,
    DateTimeOffset? StaleAfter,
    IReadOnlyList<TenantOverrideDto> Overrides,
    DateTimeOffset UpdatedAt,
    int Version);

public sealed record TenantOverrideDto(string Key, Guid TenantId, bool Enabled, string? Variant, DateTimeOffset? ExpiresAt);

/// <summary>One append-only history entry; <c>OldValue</c>/<c>NewValue</c> are JSON.</summary>
public sealed record FlagChangeDto(
    Guid Id, DateTimeOffset OccurredAt, string Actor, string Action, string Key, Guid? TenantId, string? OldValue, string? NewValue, string? Reason);
