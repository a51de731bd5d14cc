using Mediator;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Modular.Kernel.Errors;
using Modular.Kernel.Tenancy;
using Modular.Metering.Configuration;
using Modular.Metering.Contracts;
using Modular.Metering.Domain;
using Modular.Metering.Persistence;

namespace Modular.Metering.Entitlements;

/// <summary>
/// Where a tenant stands on a meter this billing period: the plan's quota (cached, dropped on every instance when the
/// plan changes) and the period's usage, read exactly from the rollups each time (never cached: every instance sees
/// every committed event). Hard quotas are held by <see cref="ReserveAsync"/>. Public only because the
/// (generator-visible) handlers take it.
/// </summary>
public sealed class PeriodUsage(MeteringDbContext db, ISender sender, EntitlementCache cache, IOptions<MeteringOptions> options, TimeProvider clock)
{
    internal async Task<Standing> StandingAsync(TenantInfo tenant, string meterKey, CancellationToken cancellationToken)
    {
        var (quotas, period) = await QuotasAndPeriodAsync(tenant, cancellationToken);
        var quota = quotas?.FirstOrDefault(q => q.Meter == meterKey);
        return new Standing(meterKey, quota, period, await UsedAsync(meterKey, period, cancellationToken));
    }

    /// <summary>
    /// Runs <paramref name="record"/> (inside the caller's transaction) as a reservation against the hard quotas of
    /// <paramref name="meterKeys"/>: each (tenant, meter, period) is locked first, so enforced recordings of one quota
    /// run one at a time on every instance (PostgreSQL: a transaction-scoped advisory lock; SQLite: the write
    /// transaction is already exclusive); after recording, a total past the limit throws
    /// <see cref="QuotaExceededException"/>, which rolls the recording back. So a hard quota is never overshot by
    /// enforced recordings; unenforced ingestion (which only counts) can still pass it.
    /// </summary>
    internal async Task<T> ReserveAsync<T>(TenantInfo tenant, IEnumerable<string> meterKeys, Func<Task<T>> record, CancellationToken cancellationToken)
    {
        var (quotas, period) = await QuotasAndPeriodAsync(tenant, cancellationToken);
        var hard = (quotas ?? []).Where(q => q.Enforcement == QuotaEnforcements.Hard && meterKeys.Contains(q.Meter))
            .OrderBy(q => q.Meter, StringComparer.Ordinal) // one lock order everywhere: no deadlock between two meters
            .ToList();
        if (db.Database.IsNpgsql())
        {
            foreach (var quota in hard)
            {
                var lockKey = $"metering.quota:{tenant.Id:N}:{quota.Meter}:{period.End.UtcTicks}";
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({lockKey}, 0))", cancellationToken);
            }
        }

        var result = await record();
        foreach (var quota in hard)
        {
            if (await UsedAsync(quota.Meter, period, cancellationToken) > quota.Limit)
            {
                throw new QuotaExceededException(quota.Meter, quota.Limit, period.End);
            }
        }

        return result;
    }

    private async Task<(IReadOnlyList<QuotaDto>? Quotas, BillingPeriod Period)> QuotasAndPeriodAsync(TenantInfo tenant, CancellationToken cancellationToken)
    {
        var quotas = await cache.PlanQuotasAsync(tenant.Plan, async () =>
            (await db.Plans.AsNoTracking().FirstOrDefaultAsync(p => p.Key == tenant.Plan, cancellationToken))?.Quotas);
        var zone = await cache.TimeZoneAsync(tenant.Id, async () => await db.BillingTimeZoneAsync(cancellationToken) ?? options.Value.BillingTimeZone);
        return (quotas, BillingPeriod.Containing(clock.GetUtcNow(), zone));
    }

    private async Task<decimal> UsedAsync(string meterKey, BillingPeriod period, CancellationToken cancellationToken)
    {
        var result = await sender.Send(new Contracts.QueryMeter(meterKey, period.Start, period.End, WindowTimeZone: period.TimeZone), cancellationToken);
        return (decimal)(result.Rows.Count == 0 ? 0 : result.Rows[0].Value ?? 0);
    }
}

/// <summary>A tenant's quota on a meter (null without one), the current period and its usage so far.</summary>
internal sealed record Standing(string Meter, QuotaDto? Quota, BillingPeriod Period, decimal Used)
{
    public EntitlementDto ToDto() => Quota is null
        ? new EntitlementDto(Meter, HasAccess: true, Limit: null, Used, Remaining: null, Period.End, Enforcement: null)
        : new EntitlementDto(Meter, Quota.Enforcement == QuotaEnforcements.Soft || Used < Quota.Limit, Quota.Limit, Used, Math.Max(0, Quota.Limit - Used), Period.End, Quota.Enforcement);
}

/// <summary>An enforced recording would take the tenant past a hard quota; nothing of it was stored.</summary>
internal sealed class QuotaExceededException(string meter, decimal limit, DateTimeOffset resetsAt)
    : ProblemException("Quota exceeded", $"The quota of {limit} '{meter}' per billing period is used up; it resets at {resetsAt:O}.")
{
    public DateTimeOffset ResetsAt { get; } = resetsAt;

    public override int Status => StatusCodes.Status429TooManyRequests;

    public override string Type => ProblemTypes.QuotaExceeded;
}
