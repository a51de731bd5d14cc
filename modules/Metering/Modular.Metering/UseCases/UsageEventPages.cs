using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Errors;
using Modular.Metering.Domain;

namespace Modular.Metering.UseCases;

/// <summary>
/// The event debugger's pages, for the tenant's listing and the platform's: newest first by receipt, a next
/// page starting after the event the caller saw last. Unlike offsets, a cursor neither repeats nor skips
/// events when new ones arrive between pages.
/// </summary>
internal static class UsageEventPages
{
    /// <summary>The most events one page may ask for.</summary>
    public const int MaxLimit = 500;

    public static async Task<List<StoredUsageEvent>> ReadAsync(
        IQueryable<StoredUsageEvent> events, string? status, string? type, Guid? before, int limit, CancellationToken cancellationToken)
    {
        if (before is { } last)
        {
            // Looked up in the same listing, so another tenant's event is no cursor.
            var receivedAt = await events.Where(e => e.Id == last).Select(e => (DateTimeOffset?)e.ReceivedAt).FirstOrDefaultAsync(cancellationToken)
                ?? throw new RequestValidationException(new Dictionary<string, string[]> { ["before"] = ["No event of this listing has this id."] });
            events = events.Where(e => e.ReceivedAt < receivedAt || (e.ReceivedAt == receivedAt && e.Id.CompareTo(last) < 0));
        }

        if (status is not null)
        {
            events = events.Where(e => e.Status == status);
        }

        if (type is not null)
        {
            events = events.Where(e => e.Type == type);
        }

        return await events.OrderByDescending(e => e.ReceivedAt).ThenByDescending(e => e.Id).Take(limit).ToListAsync(cancellationToken);
    }
}
