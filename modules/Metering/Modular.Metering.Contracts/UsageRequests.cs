using System.Text.Json;
using Mediator;

namespace Modular.Metering.Contracts;

/// <summary>
/// Records usage for the tenant in scope: one CloudEvents 1.0 event or a batch, all or nothing.
/// The same (tenant, source, id) counts once, however often it is sent. This is how modules inside the
/// host record usage; the HTTP endpoint parses CloudEvents JSON into this command.
/// </summary>
/// <param name="IsBatch">A batch names the index of a bad event (422); a single event names the field (400).</param>
/// <param name="EnforceHardQuota">
/// Refuse the whole batch (429, <c>quota-exceeded</c>, nothing stored) when it would take the tenant past a hard quota
/// of a meter it counts on, this billing period; enforced recordings are serialised per quota across every instance,
/// so a hard quota is never overshot by them. Ingestion (the HTTP endpoint) does not enforce: it counts what happened.
/// </param>
public sealed record RecordUsage(IReadOnlyList<UsageEvent> Events, bool IsBatch = false, bool EnforceHardQuota = false) : ICommand<UsageRecorded>;

/// <summary>A CloudEvents 1.0 usage event; <see cref="Subject"/> is the customer-side subject (user, API key...).</summary>
/// <param name="Time">When the usage happened; the time of receipt when absent.</param>
/// <param name="Data">The event's <c>data</c>, where meters find their value and dimensions.</param>
public sealed record UsageEvent(
    string? SpecVersion,
    string? Id,
    string? Source,
    string? Type,
    string? Subject = null,
    DateTimeOffset? Time = null,
    JsonElement? Data = null);

/// <summary>What ingestion did: new events stored, and events already known (same tenant, source and id).</summary>
public sealed record UsageRecorded(int Received, int Stored, int Duplicates);

/// <summary>
/// The tenant's latest events, newest first, optionally of one status or type: the event debugger. A next
/// page starts after <paramref name="Before"/>, the id of the last event of the page before it.
/// </summary>
public sealed record ListUsageEvents(string? Status = null, string? Type = null, int Limit = 50, Guid? Before = null) : IQuery<IReadOnlyList<UsageEventDto>>;

/// <summary>One of the tenant's stored events, by its storage id.</summary>
public sealed record GetUsageEvent(Guid Id) : IQuery<UsageEventDto>;

public sealed record UsageEventDto(
    Guid Id,
    string Source,
    string EventId,
    string Type,
    string Subject,
    DateTimeOffset Time,
    DateTimeOffset ReceivedAt,
    string Status,
    string? ValidationError,
    JsonElement? Data);

/// <summary>What became of a stored event, as it appears in <see cref="UsageEventDto.Status"/>.</summary>
public static class UsageEventStatuses
{
    /// <summary>Counted by every meter of its type.</summary>
    public const string Counted = "Counted";

    /// <summary>No meter has its type (yet); kept, so a mistyped event can be found.</summary>
    public const string Unmatched = "Unmatched";

    /// <summary>A meter could not use its value (e.g. not a number for SUM); not counted by that meter.</summary>
    public const string Invalid = "Invalid";

    public static readonly IReadOnlyList<string> All = [Counted, Unmatched, Invalid];
}

/// <summary>
/// The latest events of every tenant (or of <paramref name="TenantId"/>), newest first: the platform
/// operators' event debugger. Answers only in a platform scope (all tenants); a tenant's own callers use
/// <see cref="ListUsageEvents"/>, and pages as it does.
/// </summary>
public sealed record ListPlatformUsageEvents(Guid? TenantId = null, string? Status = null, string? Type = null, int Limit = 50, Guid? Before = null)
    : IQuery<IReadOnlyList<TenantUsageEventDto>>;

/// <summary>A stored event and the tenant it belongs to.</summary>
public sealed record TenantUsageEventDto(Guid TenantId, UsageEventDto Event);

/// <summary>What the console's dashboard says about usage, across tenants: what was refused or unmatched lately, and the trend.</summary>
public sealed record GetUsageDigest(int Days = 14) : IQuery<UsageDigest>;

/// <param name="EventsPerDay">Events received each UTC day, oldest first, today last.</param>
public sealed record UsageDigest(int InvalidLastDay, int UnmatchedLastDay, IReadOnlyList<DailyEventCount> EventsPerDay);

public sealed record DailyEventCount(DateOnly Day, int Events);
