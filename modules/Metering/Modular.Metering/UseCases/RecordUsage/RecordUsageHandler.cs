using System.Globalization;
using System.Text.Json;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using Modular.Metering.Configuration;
using Modular.Metering.Contracts;
using Modular.Metering.Domain;
using Modular.Metering.Persistence;

namespace Modular.Metering.UseCases.RecordUsage;

/// <summary>
/// Stores a batch of usage events for the tenant in scope, all or nothing, and adds the new ones to
/// their meters' rollups in the same transaction. The tenant always comes from the scope (the caller's
/// token), never from the events.
/// </summary>
public sealed class RecordUsageHandler(MeteringDbContext db, ITenantContext scope, TimeProvider clock, IOptions<MeteringOptions> options)
    : ICommandHandler<Contracts.RecordUsage, UsageRecorded>
{
    public async ValueTask<UsageRecorded> Handle(Contracts.RecordUsage command, CancellationToken cancellationToken)
    {
        var tenant = scope.Tenant ?? throw new NotFoundException("Tenant", "(none in scope)");
        var settings = options.Value;
        if (command.Events.Count > settings.MaxBatchSize)
        {
            throw new BatchTooLargeException(command.Events.Count, settings.MaxBatchSize);
        }

        var now = clock.GetUtcNow();
        UsageEventRules.ThrowIfInvalid(command, now, settings);

        // The same event twice in one batch counts once, like the same event in two batches.
        var unique = command.Events.DistinctBy(e => (e.Source, e.Id)).ToList();
        var types = unique.Select(e => e.Type!).Distinct().ToList();

        // One connection and transaction for the whole batch, the meter lookup included; replayed whole after
        // a transient failure (nothing here is tracked: the writer inserts directly).
        var insertedCount = await db.Database.InTransactionAsync(async cancellationToken =>
        {
            var meters = (await db.Meters.AsNoTracking().Where(m => types.Contains(m.EventType)).ToListAsync(cancellationToken))
                .ToLookup(m => m.EventType);

            var ids = UsageWriter.Version7Ids(now, unique.Count);
            var rows = new List<StoredUsageEvent>(unique.Count);
            var readings = new List<UsageRollups.Readings>(unique.Count);
            for (var i = 0; i < unique.Count; i++)
            {
                var e = unique[i];
                var read = meters[e.Type!].Select(m => (Meter: m, Reading: MeterReading.Read(m, e.Data))).ToList();
                var error = read.FirstOrDefault(r => !r.Reading.IsValid).Reading.Error;
                var row = new StoredUsageEvent
                {
                    Id = ids[i],
                    TenantId = tenant.Id,
                    Source = e.Source!,
                    EventId = e.Id!,
                    Type = e.Type!,
                    Subject = e.Subject ?? "",
                    Time = e.Time ?? now,
                    ReceivedAt = now,
                    Data = e.Data is { ValueKind: not System.Text.Json.JsonValueKind.Undefined } data ? data.GetRawText() : null,
                    Status = read.Count == 0 ? UsageEventStatuses.Unmatched : error is null ? UsageEventStatuses.Counted : UsageEventStatuses.Invalid,
                    ValidationError = error is { Length: > StoredUsageEvent.ValidationErrorMaxLength } ? error[..StoredUsageEvent.ValidationErrorMaxLength] : error,
                };
                rows.Add(row);
                readings.Add(new(row, read));
            }

            var writer = new UsageWriter(db);
            var inserted = await writer.InsertNewEventsAsync(rows, cancellationToken);
            var (rollups, distinct) = UsageRollups.Of(inserted.Count == rows.Count ? readings : readings.Where(r => inserted.Contains(r.Event.Id)));
            await writer.AddToRollupsAsync(rollups, cancellationToken);
            await writer.AddDistinctValuesAsync(distinct, cancellationToken);
            return inserted.Count;
        }, cancellationToken);

        return new UsageRecorded(command.Events.Count, insertedCount, command.Events.Count - insertedCount);
    }
}

/// <summary>More events in one request than the configured batch size.</summary>
internal sealed class BatchTooLargeException(int count, int max)
    : ProblemException("The batch is too large", $"The batch has {count} events; send at most {max} per request.")
{
    public override int Status => StatusCodes.Status413PayloadTooLarge;

    public override string Type => ProblemTypes.PayloadTooLarge;
}

/// <summary>One event of a batch is invalid, so none was stored; the detail names its index and field.</summary>
internal sealed class BatchRejectedException(int index, string field, string message)
    : ProblemException("The batch was rejected", $"Event [{index}] is invalid ({field}: {message}); nothing was stored.")
{
    public int Index { get; } = index;

    public override int Status => StatusCodes.Status422UnprocessableEntity;

    public override string Type => ProblemTypes.Validation;
}

/// <summary>
/// <c>POST /metering/events</c>: CloudEvents 1.0 in structured mode, one event (<c>application/cloudevents+json</c>
/// or <c>application/json</c>) or a JSON array of them (<c>application/cloudevents-batch+json</c> or
/// <c>application/json</c>). The body is read here rather than bound, because one route takes both shapes.
/// </summary>
internal static class RecordUsageEndpoint
{
    private static readonly string[] MediaTypes = ["application/json", "application/cloudevents+json", "application/cloudevents-batch+json"];

    public static void MapRecordUsage(this IEndpointRouteBuilder metering) =>
        metering.MapPost("/events", async (HttpRequest request, ISender sender, CancellationToken cancellationToken) =>
            {
                var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
                if (mediaType is null || !MediaTypes.Contains(mediaType))
                {
                    throw new BadHttpRequestException("Unsupported media type", StatusCodes.Status415UnsupportedMediaType);
                }

                using var body = await ReadJsonAsync(request, cancellationToken);
                var root = body.RootElement;
                var isBatch = root.ValueKind == JsonValueKind.Array;
                if (!isBatch && (root.ValueKind != JsonValueKind.Object || mediaType == "application/cloudevents-batch+json"))
                {
                    throw Malformed("body", "Send one event as a JSON object, or a batch as a JSON array of events.");
                }

                List<UsageEvent> events = isBatch ? root.EnumerateArray().Select((e, i) => Parse(e, i, true)).ToList() : [Parse(root, 0, false)];
                return TypedResults.Ok(await sender.Send(new Contracts.RecordUsage(events, isBatch), cancellationToken));
            })
            .WithName("RecordUsage")
            .WithSummary("Record usage events (CloudEvents 1.0, single or batch of up to 1,000)")
            .Accepts<UsageEvent>("application/cloudevents+json", "application/cloudevents-batch+json", "application/json")
            .Produces<UsageRecorded>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .RequirePermission(MeteringPermissions.Ingest);

    private static async Task<JsonDocument> ReadJsonAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonDocument.ParseAsync(request.Body, default, cancellationToken);
        }
        catch (JsonException)
        {
            throw Malformed("body", "The body is not valid JSON.");
        }
    }

    /// <summary>Reads one event's attributes; a present attribute of the wrong JSON type is an error of that field.</summary>
    private static UsageEvent Parse(JsonElement element, int index, bool isBatch)
    {
        var errors = new List<(string Field, string Message)>();
        if (element.ValueKind != JsonValueKind.Object)
        {
            UsageEventRules.Reject(isBatch, index, [("event", "An event is a JSON object.")]);
        }

        string? Text(string name)
        {
            if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.String)
            {
                errors.Add((name, "Must be a string."));
                return null;
            }

            // PostgreSQL cannot store U+0000 in text, nor .NET a lone surrogate escape ("\ud800") as a string: both are
            // refused here, like any bad attribute, rather than failing the batch later.
            var text = JsonValuePath.AsText(value);
            if (text is null || text.Contains('\0', StringComparison.Ordinal))
            {
                errors.Add((name, "Must be Unicode text without the NUL character (U+0000)."));
                return null;
            }

            return text;
        }

        var time = Text("time");
        DateTimeOffset? parsedTime = null;
        if (time is not null)
        {
            if (DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
            {
                parsedTime = t;
            }
            else
            {
                errors.Add(("time", "Must be an RFC 3339 timestamp."));
            }
        }

        var usage = new UsageEvent(
            Text("specversion"), Text("id"), Text("source"), Text("type"), Text("subject"), parsedTime,
            element.TryGetProperty("data", out var data) && data.ValueKind != JsonValueKind.Null ? data : null);
        UsageEventRules.Reject(isBatch, index, errors);
        return usage;
    }

    private static RequestValidationException Malformed(string field, string message) =>
        new(new Dictionary<string, string[]> { [field] = [message] });
}
