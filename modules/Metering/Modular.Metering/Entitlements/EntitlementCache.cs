using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Modular.Metering.Configuration;
using Modular.Metering.Contracts;

namespace Modular.Metering.Entitlements;

/// <summary>
/// What entitlement checks need, held in memory for <see cref="MeteringOptions.EntitlementCacheTtl"/>: the
/// period's usage per (tenant, meter, period), plans, tenants' billing time zones and meters' event types.
/// Usage recorded through this instance's API-call filter is added to the cached total at once; other
/// usage (other instances, other senders) shows after the TTL, when the total is read again from the
/// rollups. A new period is a new key, so usage starts from zero at the boundary. Public only because
/// the (public, generator-visible) handlers take it; its members are the module's own.
/// </summary>
public sealed class EntitlementCache(IMemoryCache memory, IOptions<MeteringOptions> options)
{
    private TimeSpan Ttl => options.Value.EntitlementCacheTtl;

    internal async Task<UsageTally> UsageAsync(Guid tenantId, string meter, DateTimeOffset periodEnd, Func<Task<decimal>> load) =>
        (await GetOrLoadAsync(new UsageKey(tenantId, meter, periodEnd), async () => new UsageTally(await load())))!;

    /// <summary>Adds usage this instance just recorded, if the period's total is cached (otherwise the next load sees it).</summary>
    internal void Add(Guid tenantId, string meter, DateTimeOffset periodEnd, decimal quantity)
    {
        if (memory.TryGetValue(new UsageKey(tenantId, meter, periodEnd), out UsageTally? tally))
        {
            tally!.Add(quantity);
        }
    }

    /// <summary>A plan's quotas; null when no plan has the key.</summary>
    internal Task<IReadOnlyList<QuotaDto>?> PlanQuotasAsync(string planKey, Func<Task<IReadOnlyList<QuotaDto>?>> load) => GetOrLoadAsync(new PlanKey(planKey), load);

    internal void ForgetPlan(string key) => memory.Remove(new PlanKey(key));

    internal async Task<string> TimeZoneAsync(Guid tenantId, Func<Task<string>> load) => (await GetOrLoadAsync(new TimeZoneKey(tenantId), load))!;

    internal void ForgetTimeZone(Guid tenantId) => memory.Remove(new TimeZoneKey(tenantId));

    internal async Task<string> MeterEventTypeAsync(string meter, Func<Task<string>> load) => (await GetOrLoadAsync(new MeterKey(meter), load))!;

    private async Task<T?> GetOrLoadAsync<T>(object key, Func<Task<T>> load) =>
        await memory.GetOrCreateAsync(key, entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = Ttl;
            return load();
        });

    private sealed record UsageKey(Guid TenantId, string Meter, DateTimeOffset PeriodEnd);

    private sealed record PlanKey(string Key);

    private sealed record TimeZoneKey(Guid TenantId);

    private sealed record MeterKey(string Key);
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
