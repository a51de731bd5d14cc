using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.FeatureManagement;
using Microsoft.FeatureManagement.FeatureFilters;
using Modular.Features.Contracts;

namespace Modular.Features.Evaluation;

/// <summary>
/// A deterministic percentage rollout: a user (or a whole tenant) is in when the hash of the flag and
/// its id falls below the percentage. The same id always gets the same answer, and raising the
/// percentage only adds ids, so nobody who had the feature loses it.
/// </summary>
[FilterAlias(FlagFilters.Rollout)]
internal sealed class ContextualRolloutFilter : IContextualFeatureFilter<ITargetingContext>, IFilterParametersBinder
{
    public object BindParameters(IConfiguration parameters) => parameters.Get<RolloutSettings>() ?? new RolloutSettings();

    public Task<bool> EvaluateAsync(FeatureFilterEvaluationContext context, ITargetingContext appContext)
    {
        var settings = context.Settings as RolloutSettings ?? (RolloutSettings)BindParameters(context.Parameters);
        var id = settings.By == RolloutSettings.ByTenant ? TenantTargetingContext.TenantOf(appContext)?.ToString() : appContext?.UserId;
        return Task.FromResult(id is not null && Bucket(context.FeatureName, id) < settings.Percentage);
    }

    /// <summary>Where <paramref name="id"/> falls for <paramref name="flag"/>, in [0, 100).</summary>
    public static double Bucket(string flag, string id)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{flag}\n{id}"), hash);
        return BinaryPrimitives.ReadUInt32BigEndian(hash) / ((double)uint.MaxValue + 1) * 100;
    }
}

/// <summary>The same rollout for callers that pass no context: the request's caller is the context.</summary>
[FilterAlias(FlagFilters.Rollout)]
internal sealed class RolloutFilter(ITargetingContextAccessor targeting) : IFeatureFilter, IFilterParametersBinder
{
    private readonly ContextualRolloutFilter _contextual = new();

    public object BindParameters(IConfiguration parameters) => _contextual.BindParameters(parameters);

    public async Task<bool> EvaluateAsync(FeatureFilterEvaluationContext context) =>
        await _contextual.EvaluateAsync(context, await targeting.GetContextAsync());
}

/// <summary>The parameters of <see cref="FlagFilters.Rollout"/>: <c>{ "Percentage": 30, "By": "User" | "Tenant" }</c>.</summary>
internal sealed class RolloutSettings
{
    public const string ByUser = "User";
    public const string ByTenant = "Tenant";

    public double Percentage { get; set; }

    public string By { get; set; } = ByUser;
}
