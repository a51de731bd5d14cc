using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;
using Modular.Kernel.Cluster;
using Modular.Metering.Configuration;
using Modular.Metering.Contracts;
using Modular.Metering.Persistence;

namespace Modular.Metering.Entitlements;

/// <summary>
/// What entitlement checks need, cached for <see cref="MeteringOptions.EntitlementCacheTtl"/>. Plans, tenants' billing
/// time zones and meters' event types are HybridCache entries that a change drops on every instance once it commits
/// (the kernel's cluster cache). Usage is never cached: <see cref="PeriodUsage"/> reads it exactly. Public only because
/// the (public, generator-visible) handlers take it; its members
/// are the module's own.
/// </summary>
public sealed class EntitlementCache(HybridCache cache, ClusterCache cluster, IOptions<MeteringOptions> options)
{
    private TimeSpan Ttl => options.Value.EntitlementCacheTtl;

    /// <summary>A plan's quotas; null when no plan has the key.</summary>
    internal async Task<IReadOnlyList<QuotaDto>?> PlanQuotasAsync(string planKey, Func<Task<IReadOnlyList<QuotaDto>?>> load) =>
        await GetOrLoadAsync("metering:plan:" + planKey, load);

    /// <summary>Every instance reloads the plan once <paramref name="db"/>'s change commits.</summary>
    internal void ForgetPlanOnCommit(MeteringDbContext db, string planKey) => cluster.InvalidateOnCommit(db, "metering:plan:" + planKey);

    internal async Task<string> TimeZoneAsync(Guid tenantId, Func<Task<string>> load) => (await GetOrLoadAsync($"metering:zone:{tenantId:N}", load))!;

    internal void ForgetTimeZoneOnCommit(MeteringDbContext db, Guid tenantId) => cluster.InvalidateOnCommit(db, $"metering:zone:{tenantId:N}");

    internal async Task<string> MeterEventTypeAsync(string meter, Func<Task<string>> load) => (await GetOrLoadAsync("metering:meter:" + meter, load))!;

    internal void ForgetMeterOnCommit(MeteringDbContext db, string meter) => cluster.InvalidateOnCommit(db, "metering:meter:" + meter);

    /// <summary>An entry tagged with its own key, which is what a change invalidates.</summary>
    private ValueTask<T> GetOrLoadAsync<T>(string key, Func<Task<T>> load) =>
        cache.GetOrCreateAsync(
            key,
            load,
            static async (load, _) => await load(),
            new HybridCacheEntryOptions { Expiration = Ttl, LocalCacheExpiration = Ttl },
            [key]);

}
