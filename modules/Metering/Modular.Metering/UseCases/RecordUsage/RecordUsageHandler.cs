using Mediator;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
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
