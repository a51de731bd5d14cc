using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Modular.Kernel.Cluster;
using Modular.Kernel.Outbound;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Domain;
using Modular.Webhooks.Persistence;
using Polly.Timeout;

namespace Modular.Webhooks.Delivery;

/// <summary>
/// Delivers due attempts. Like the kernel's outbox dispatcher, a batch is claimed inside a transaction
/// — on PostgreSQL with <c>FOR UPDATE SKIP LOCKED</c>, so several instances never take the same
/// delivery — sent, and its outcome saved in that same transaction. If the process dies mid-delivery,
/// PostgreSQL rolls the claim back and the delivery is taken again (SQLite saved nothing yet): at least
/// once, and with the same <c>webhook-id</c>, so receivers can drop the duplicate.
/// </summary>
internal sealed partial class WebhookDispatcher(
    IServiceScopeFactory scopes,
    IHttpClientFactory httpClients,
    IOptions<WebhooksOptions> options,
    ClusterLimits limits,
    LiveChanges live,
    TimeProvider clock,
    ILogger<WebhookDispatcher> logger)
{
    public const string HttpClientName = "webhooks";
    private const string UserAgent = "Modular-Webhooks/1.0";

    private readonly ConcurrentDictionary<Guid, (int Limit, RateLimiter Limiter)> _rateLimiters = new();

    /// <summary>Claims, sends and records one batch; returns how many deliveries it took.</summary>
    public async Task<int> DispatchBatchAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
        var db = scope.ServiceProvider.GetRequiredService<WebhooksDbContext>();
        var secrets = scope.ServiceProvider.GetRequiredService<EndpointSecrets>();
        // On PostgreSQL the claim holds its rows until the outcomes are saved; a transient database failure
        // replays the batch (at least once, as after a crash). SQLite saves nothing until the end anyway.
        // Events the outcomes publish wake the outbox once committed (the kernel's AfterCommit).
        return db.Database.IsNpgsql()
            ? await db.Database.InTransactionAsync(DispatchAsync, cancellationToken)
            : await DispatchAsync(cancellationToken);

        async Task<int> DispatchAsync(CancellationToken cancellationToken)
        {
            db.ChangeTracker.Clear(); // a replay claims afresh, not with the failed attempt's rows
            var batch = await ClaimAsync(db, clock.GetUtcNow(), settings.BatchSize, cancellationToken);
            if (batch.Count == 0)
            {
                return 0;
            }

            var endpointIds = batch.Select(d => d.EndpointId).Distinct().ToList();
            var messageIds = batch.Select(d => d.MessageId).Distinct().ToList();
            var endpoints = await db.Endpoints.Where(e => endpointIds.Contains(e.Id)).ToDictionaryAsync(e => e.Id, cancellationToken);
            var messages = await db.Messages.AsNoTracking().Where(m => messageIds.Contains(m.Id)).ToDictionaryAsync(m => m.Id, cancellationToken);

            // Each endpoint's secrets are decrypted once per batch, not once per delivery.
            var now = clock.GetUtcNow();
            var signingSecrets = endpoints.Values.Where(e => e.Enabled).ToDictionary(e => e.Id, e => SigningSecrets(e, secrets, now));
            var sends = new List<(WebhookDelivery Delivery, Task<Outcome> Outcome)>();
            foreach (var delivery in batch)
            {
                var endpoint = endpoints[delivery.EndpointId];
                if (!endpoint.Enabled)
                {
                    sends.Add((delivery, Task.FromResult(Outcome.NotSent(clock.GetUtcNow(), $"Endpoint disabled: {endpoint.DisabledReason}"))));
                }
                else if (!await TryTakeRateLimitTokenAsync(endpoint, cancellationToken))
                {
                    delivery.RetryAt(clock.GetUtcNow() + TimeSpan.FromSeconds(1)); // over the endpoint's rate: not an attempt
                }
                else
                {
                    sends.Add((delivery, SendAsync(endpoint, messages[delivery.MessageId], signingSecrets[endpoint.Id], cancellationToken)));
                }
            }

            await Task.WhenAll(sends.Select(s => s.Outcome));
            foreach (var (delivery, outcome) in sends)
            {
                Record(db, delivery, endpoints[delivery.EndpointId], messages[delivery.MessageId], outcome.Result, settings);
            }

            live.AnnounceOnCommit(db, MessageLogChanges.Subject); // the console shows each attempt's outcome as it is recorded
            await db.CommitAsync(cancellationToken);
            return batch.Count;
        }
    }

    private static Task<List<WebhookDelivery>> ClaimAsync(WebhooksDbContext db, DateTimeOffset now, int batchSize, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            // The schema comes from code, never from input; values are parameters.
            var sql = "SELECT * FROM \"" + db.Schema + "\".deliveries " +
                "WHERE status = {0} AND next_attempt_at <= {1} " +
                "ORDER BY next_attempt_at LIMIT {2} FOR UPDATE SKIP LOCKED";
            return db.Deliveries.FromSqlRaw(sql, nameof(DeliveryStatus.Pending), now, batchSize).IgnoreQueryFilters().ToListAsync(cancellationToken);
        }

        // SQLite: one writer per file, and one delivery worker in the (single) instance.
        return db.Deliveries
            .Where(d => d.Status == DeliveryStatus.Pending && d.NextAttemptAt <= now)
            .OrderBy(d => d.NextAttemptAt)
            .Take(batchSize)
            .ToListAsync(cancellationToken);
    }

    /// <summary>A token of the endpoint's rate, counted across instances when Redis is configured (docs/adr/0020).</summary>
    private async ValueTask<bool> TryTakeRateLimitTokenAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken)
    {
        if (endpoint.RateLimitPerSecond is not { } limit)
        {
            return true;
        }

        // One batch at a time per instance (the delivery worker), so no other send races this replacement.
        if (!_rateLimiters.TryGetValue(endpoint.Id, out var entry) || entry.Limit != limit)
        {
            entry.Limiter?.Dispose(); // the endpoint's rate changed: its old bucket goes with it
            entry = (limit, limits.TokenBucket($"webhooks:endpoint:{endpoint.Id:N}:{limit}", limit));
            _rateLimiters[endpoint.Id] = entry;
        }

        using var lease = await entry.Limiter.AcquireAsync(cancellationToken: cancellationToken);
        return lease.IsAcquired;
    }

    /// <summary>The current secret, and the previous one while its grace period lasts.</summary>
    private static List<string> SigningSecrets(WebhookEndpoint endpoint, EndpointSecrets secrets, DateTimeOffset now)
    {
        var signing = new List<string> { secrets.Unprotect(endpoint.ProtectedSecret) };
        if (endpoint.PreviousSecretAt(now) is { } previous)
        {
            signing.Add(secrets.Unprotect(previous));
        }

        return signing;
    }

    private async Task<Outcome> SendAsync(WebhookEndpoint endpoint, WebhookMessage message, List<string> signingSecrets, CancellationToken cancellationToken)
    {
        var attemptedAt = clock.GetUtcNow();
        var started = clock.GetTimestamp();

        var timestamp = attemptedAt.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
        {
            Content = new StringContent(message.Payload, Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in endpoint.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Headers.UserAgent.ParseAdd(UserAgent);
        request.Headers.Add("webhook-id", message.WebhookId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignature.Header(signingSecrets, message.WebhookId, timestamp, message.Payload));

        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var body = await ReadStartAsync(response, cancellationToken);
            return new Outcome(attemptedAt, (int)response.StatusCode, null, clock.GetElapsedTime(started), body, RetryAfter(response, attemptedAt), Sent: true);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var timedOut = e is TimeoutRejectedException or TaskCanceledException;
            var error = timedOut
                ? $"Timed out after {options.Value.Timeout.TotalSeconds:0.#} s"
                : e is HttpRequestException { InnerException: RefusedAddressException refused } ? refused.Message : Describe(e);
            LogAttemptFailed(logger, message.WebhookId, endpoint.Id, error);
            return new Outcome(attemptedAt, null, error, clock.GetElapsedTime(started), null, null, Sent: true) { TimedOut = timedOut };
        }
    }

    private static string Describe(Exception e) =>
        e.InnerException is { } inner && inner.Message != e.Message ? $"{e.Message} ({inner.Message})" : e.Message;

    private static async Task<string?> ReadStartAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var buffer = new byte[WebhookAttempt.ResponseBodyMaxLength];
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        return read == 0 ? null : Encoding.UTF8.GetString(buffer, 0, read);
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - now,
        _ => null,
    };

    private void Record(WebhooksDbContext db, WebhookDelivery delivery, WebhookEndpoint endpoint, WebhookMessage message, Outcome outcome, WebhooksOptions settings)
    {
        var now = outcome.AttemptedAt;
        var trigger = delivery.NextTrigger;
        delivery.CountAttempt();
        var attempt = WebhookAttempt.Create(delivery, now, trigger, outcome.Status, outcome.Error, outcome.Duration, outcome.ResponseBody);
        db.Attempts.Add(attempt);

        if (attempt.Succeeded)
        {
            delivery.Succeed(now);
            endpoint.RecordSuccess();
            return;
        }

        if (outcome.Sent && outcome.Status == (int)HttpStatusCode.Gone && endpoint.Enabled)
        {
            Disable(db, endpoint, "The receiver answered 410 Gone.", now);
        }
        else if (outcome.Sent && endpoint.Enabled && endpoint.RecordFailure(now, settings.DisableAfterFailingFor))
        {
            Disable(db, endpoint, $"Every delivery failed for {settings.DisableAfterFailingFor.TotalDays:0.#} days.", now);
        }

        var overloaded = outcome.TimedOut || outcome.Status == (int)HttpStatusCode.TooManyRequests;
        var delay = endpoint.Enabled && trigger == AttemptTrigger.Automatic
            ? RetrySchedule.NextDelay(delivery.Attempts, overloaded, outcome.RetryAfter, RetrySchedule.RandomJitter())
            : null;
        if (delay is { } wait)
        {
            delivery.RetryAt(now + wait);
            attempt.ScheduledNext(now + wait);
            return;
        }

        delivery.Fail(now);
        if (outcome.Sent)
        {
            db.Publish(new WebhookMessageFailed(delivery.TenantId, endpoint.Id, message.Id, message.EventType, now), now);
        }
    }

    private static void Disable(WebhooksDbContext db, WebhookEndpoint endpoint, string reason, DateTimeOffset now)
    {
        endpoint.Disable(reason);
        db.Publish(new WebhookEndpointDisabled(endpoint.TenantId, endpoint.Id, reason, now), now);
    }

    /// <summary>What one attempt came to; <see cref="Sent"/> is false when no request was made.</summary>
    private sealed record Outcome(DateTimeOffset AttemptedAt, int? Status, string? Error, TimeSpan Duration, string? ResponseBody, TimeSpan? RetryAfter, bool Sent)
    {
        public bool TimedOut { get; init; }

        public static Outcome NotSent(DateTimeOffset now, string reason) => new(now, null, reason, TimeSpan.Zero, null, null, Sent: false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {WebhookId} to endpoint {EndpointId} failed: {Error}")]
    private static partial void LogAttemptFailed(ILogger logger, string webhookId, Guid endpointId, string error);
}
