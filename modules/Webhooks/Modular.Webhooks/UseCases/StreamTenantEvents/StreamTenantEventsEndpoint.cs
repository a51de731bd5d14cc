using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Delivery;
using Modular.Webhooks.Domain;
using Modular.Webhooks.Persistence;

namespace Modular.Webhooks.UseCases.StreamTenantEvents;

/// <summary>
/// <c>GET /api/v1/tenant/events/stream</c>: the caller's tenant's integration events as Server-Sent Events, the same
/// messages (and payloads) webhooks deliver, live on any instance (<see cref="TenantEventSignal"/>).
/// <list type="bullet">
/// <item>Each event: <c>id:</c> its <c>webhook-id</c>, <c>event:</c> its type, <c>data:</c> its payload.</item>
/// <item>Resume: a client that reconnects with <c>Last-Event-ID</c> (header, or <c>lastEventId</c> in the query) gets
/// what was stored after that event, within <see cref="WebhooksOptions.StreamResumeWindow"/>; without it, what comes
/// next. Messages stored at once through several instances may commit out of order, so a live stream keeps reading a
/// few seconds behind its last event and sends one that committed late; it never sends an event twice.</item>
/// <item>A comment line (<c>: ping</c>) every <see cref="WebhooksOptions.StreamHeartbeat"/> keeps proxies from closing
/// an idle stream; the stream ends when the instance stops, and the client reconnects elsewhere.</item>
/// </list>
/// </summary>
internal static class StreamTenantEventsEndpoint
{
    /// <summary>How far behind its last event a stream keeps reading (commit order across instances differs from time order).</summary>
    private static readonly TimeSpan Overlap = TimeSpan.FromSeconds(5);

    private const int Page = 100;

    public static void MapStreamTenantEvents(this IEndpointRouteBuilder api) =>
        api.MapGet(WebhooksRoutes.TenantEventStream, StreamAsync)
            .WithTags("Webhooks")
            .WithName("StreamTenantEvents")
            .WithSummary("The tenant's events, live, as Server-Sent Events (text/event-stream)")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(WebhooksPermissions.Read);

    private static async Task StreamAsync(
        HttpContext http,
        ITenantContext scope,
        WebhooksDbContext db,
        TenantEventSignal signal,
        IOptions<WebhooksOptions> options,
        IHostApplicationLifetime lifetime,
        TimeProvider clock,
        string? lastEventId = null)
    {
        var tenant = scope.Tenant ?? throw new NotFoundException("Tenant", "the caller's");
        var settings = options.Value;
        using var slot = signal.TryOpenStream(tenant.Id, settings.StreamsPerTenant);
        if (slot is null)
        {
            await RateLimitedProblem.Create(http, retryAfter: settings.StreamPollInterval).ExecuteAsync(http);
            return;
        }

        var resumeFrom = ResumePoint(http.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? lastEventId);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var token = stop.Token;

        // Where the stream starts: after the client's last event (bounded), or now.
        var now = clock.GetUtcNow();
        DateTimeOffset since;
        if (resumeFrom is { } cursor
            && await db.Messages.AsNoTracking().Where(m => m.Id == cursor).Select(m => (DateTimeOffset?)m.CreatedAt).FirstOrDefaultAsync(token) is { } seen)
        {
            since = Max(seen, now - settings.StreamResumeWindow);
        }
        else
        {
            since = now;
        }

        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no"; // nginx and its kin: pass each event on as it is written
        await response.WriteAsync("retry: 2000\n\n", token);
        await response.Body.FlushAsync(token);

        var sent = new HashSet<Guid>();
        if (resumeFrom is { } resumed)
        {
            sent.Add(resumed);
        }

        var nextPing = clock.GetUtcNow() + settings.StreamHeartbeat;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var wakeUp = signal.NextAsync(tenant.Id); // taken before reading, so nothing stored meanwhile is missed
                var fresh = await db.Messages.AsNoTracking()
                    .Where(m => m.CreatedAt >= since)
                    .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id)
                    .Take(Page + sent.Count)
                    .ToListAsync(token);
                var written = 0;
                foreach (var message in fresh.Where(m => sent.Add(m.Id)))
                {
                    await response.WriteAsync(Event(message), token);
                    written++;
                }

                if (written > 0)
                {
                    await response.Body.FlushAsync(token);
                    since = Max(since, fresh[^1].CreatedAt - Overlap);
                    sent.IntersectWith(fresh.Where(m => m.CreatedAt >= since).Select(m => m.Id)); // only the overlap can come back
                    if (written == Page)
                    {
                        continue; // more may be waiting
                    }
                }

                // Until a wake-up, the next poll (a wake-up may be lost) or the heartbeat, whichever comes first.
                var untilPing = nextPing - clock.GetUtcNow();
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(token))
                {
                    var timeout = Task.Delay(untilPing < settings.StreamPollInterval ? Max(untilPing, TimeSpan.Zero) : settings.StreamPollInterval, clock, wait.Token);
                    await Task.WhenAny(wakeUp, timeout);
                    await wait.CancelAsync();
                }

                if (clock.GetUtcNow() >= nextPing)
                {
                    await response.WriteAsync(": ping\n\n", token);
                    await response.Body.FlushAsync(token);
                    nextPing = clock.GetUtcNow() + settings.StreamHeartbeat;
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The client left, or this instance is stopping: the client reconnects (elsewhere) with its Last-Event-ID.
        }
    }

    private static Guid? ResumePoint(string? lastEventId) =>
        lastEventId is { Length: 36 } && lastEventId.StartsWith("msg_", StringComparison.Ordinal) && Guid.TryParseExact(lastEventId[4..], "N", out var id)
            ? id
            : null;

    private static string Event(WebhookMessage message)
    {
        var text = new StringBuilder();
        text.Append("id: ").Append(message.WebhookId).Append('\n');
        text.Append("event: ").Append(message.EventType).Append('\n');
        foreach (var line in message.Payload.Split('\n'))
        {
            text.Append("data: ").Append(line.TrimEnd('\r')).Append('\n');
        }

        return text.Append('\n').ToString();
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
