using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Modular.Kernel.Cluster;
using Modular.Metering.Configuration;
using Modular.Metering.Contracts;
using Modular.Metering.Persistence;

namespace Modular.Metering.Entitlements;

/// <summary>
/// What entitlement checks need, cached for <see cref="MeteringOptions.EntitlementCacheTtl"/>. Plans, tenants' billing
/// time zones and meters' event types are HybridCache entries that a change drops on every instance once it commits
/// (the kernel's cluster cache). The period's usage per (tenant, meter, period) is this instance's own tally: usage
/// recorded through this instance's API-call filter is added to it at once; other usage (other instances, other
/// senders) shows after the TTL, when the total is read again from the rollups. A new period is a new key, so usage
/// starts from zero at the boundary. Public only because the (public, generator-visible) handlers take it; its members
/// are the module's own.
/// </summary>
public sealed class EntitlementCache(IMemoryCache memory, HybridCache cache, ClusterCache cluster, IOptions<MeteringOptions> options)
{
    private TimeSpan Ttl => options.Value.EntitlementCacheTtl;

    internal async Task<UsageTally> UsageAsync(Guid tenantId, string meter, DateTimeOffset periodEnd, Func<Task<decimal>> load) =>
        (await memory.GetOrCreateAsync(new UsageKey(tenantId, meter, periodEnd), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = Ttl;
            return new UsageTally(await load());
        }))!;

    /// <summary>Adds usage this instance just recorded, if the period's total is cached (otherwise the next load sees it).</summary>
    internal void Add(Guid tenantId, string meter, DateTimeOffset periodEnd, decimal quantity)
    {
        if (memory.TryGetValue(new UsageKey(tenantId, meter, periodEnd), out UsageTally? tally))
        {
            tally!.Add(quantity);
        }
    }

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

    private sealed record UsageKey(Guid TenantId, string Meter, DateTimeOffset PeriodEnd);
}

/// <summary>A period's usage total that local recordings add to while it is cached.</summary>
internal sealed class UsageTally(decimal used)
{
    private readonly Lock _gate = new();
    private decimal _used = used;

    public decimal Used
    {
        get
        {
            lock (_gate)
            {
                return _used;
            }
        }
    }

    internal void Add(decimal quantity)
    {
        lock (_gate)
        {
            _used += quantity;
        }
    }
}
