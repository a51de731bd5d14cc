using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Modular.Metering.Domain;

namespace Modular.Metering.Persistence;

/// <summary>
/// Writes events and their rollups with set-based, parameterised SQL on the context's own connection
/// (so PostgreSQL's row-level security applies): <c>INSERT ... ON CONFLICT DO NOTHING RETURNING</c> tells
/// which events are new, even when two connections race for the same event, and only those are added
/// to the rollups with <c>ON CONFLICT DO UPDATE</c>. PostgreSQL and SQLite share the syntax; only the
/// table names, the two-argument min/max and how ids and times are stored differ; on PostgreSQL the rows
/// travel as one array parameter per column (<c>unnest</c>) rather than one parameter per value.
/// </summary>
internal sealed class UsageWriter(MeteringDbContext db)
{
    // Rows per statement: keeps parameters well under SQLite's 32,766 and PostgreSQL's 65,535.
    private const int RowsPerStatement = 500;

    // Asked once: the provider check resolves services, and the SQLite path asks it for every value.
    private readonly bool _isPostgres = db.Database.IsNpgsql();

    /// <summary>Inserts the events that are not stored yet; returns the ids of those it inserted.</summary>
    public async Task<HashSet<Guid>> InsertNewEventsAsync(IReadOnlyList<StoredUsageEvent> events, CancellationToken cancellationToken)
    {
        var inserted = new HashSet<Guid>();
        const string Columns = "id, tenant_id, source, event_id, type, subject, time, received_at, data, status, validation_error";
        const string OnConflict = " ON CONFLICT (tenant_id, source, event_id) DO NOTHING RETURNING id";
        if (_isPostgres)
        {
            // One statement of eleven array parameters: PostgreSQL plans it once, whatever the batch size.
            await using var command = CreateCommand();
            command.CommandText = $"INSERT INTO {Table("usage_events")} ({Columns}) SELECT * FROM unnest(" +
                string.Join(", ", Parameters(command,
                    events.Select(e => e.Id).ToArray(), events.Select(e => e.TenantId).ToArray(), events.Select(e => e.Source).ToArray(),
                    events.Select(e => e.EventId).ToArray(), events.Select(e => e.Type).ToArray(), events.Select(e => e.Subject).ToArray(),
                    events.Select(e => e.Time.ToUniversalTime()).ToArray(), events.Select(e => e.ReceivedAt.ToUniversalTime()).ToArray(),
                    events.Select(e => e.Data).ToArray(), events.Select(e => e.Status).ToArray(), events.Select(e => e.ValidationError).ToArray())) +
                ")" + OnConflict;
            await ReadIdsAsync(command, inserted, cancellationToken);
            return inserted;
        }

        foreach (var chunk in events.Chunk(RowsPerStatement))
        {
            await using var command = CreateCommand();
            var sql = new StringBuilder($"INSERT INTO {Table("usage_events")} ({Columns}) VALUES ");
            for (var i = 0; i < chunk.Length; i++)
            {
                var e = chunk[i];
                sql.Append(i == 0 ? "(" : ", (");
                sql.AppendJoin(", ", Parameters(command, Id(e.Id), Id(e.TenantId), e.Source, e.EventId, e.Type, e.Subject, Time(e.Time), Time(e.ReceivedAt), e.Data, e.Status, e.ValidationError));
                sql.Append(')');
            }

            command.CommandText = sql.Append(OnConflict).ToString();
            await ReadIdsAsync(command, inserted, cancellationToken);
        }

        return inserted;
    }

    /// <summary>Adds the deltas to their minutes' rollups (keys must be distinct; sorted, so concurrent writers lock in one order).</summary>
    public async Task AddToRollupsAsync(IReadOnlyList<MeterRollup> deltas, CancellationToken cancellationToken)
    {
        var (least, greatest) = _isPostgres ? ("LEAST", "GREATEST") : ("MIN", "MAX");
        const string Columns = "tenant_id, meter_id, period_minutes, start, subject, dimensions, count, sum, min, max, latest_time, latest_value";
        // SET expressions read the row as it was before the update, on both databases.
        var onConflict = " ON CONFLICT (tenant_id, meter_id, period_minutes, start, subject, dimensions) DO UPDATE SET " +
            "count = meter_rollups.count + excluded.count, " +
            "sum = meter_rollups.sum + excluded.sum, " +
            $"min = {least}(meter_rollups.min, excluded.min), " +
            $"max = {greatest}(meter_rollups.max, excluded.max), " +
            "latest_value = CASE WHEN excluded.latest_time >= meter_rollups.latest_time THEN excluded.latest_value ELSE meter_rollups.latest_value END, " +
            $"latest_time = {greatest}(meter_rollups.latest_time, excluded.latest_time)";
        if (_isPostgres)
        {
            if (deltas.Count == 0)
            {
                return;
            }

            // unnest keeps the deltas' (sorted) order, so concurrent writers still lock rollups in one order.
            await using var command = CreateCommand();
            command.CommandText = $"INSERT INTO {Table("meter_rollups")} ({Columns}) SELECT * FROM unnest(" +
                string.Join(", ", Parameters(command,
                    deltas.Select(r => r.TenantId).ToArray(), deltas.Select(r => r.MeterId).ToArray(), deltas.Select(r => r.PeriodMinutes).ToArray(),
                    deltas.Select(r => r.Start.ToUniversalTime()).ToArray(),
                    deltas.Select(r => r.Subject).ToArray(), deltas.Select(r => r.Dimensions).ToArray(), deltas.Select(r => r.Count).ToArray(),
                    deltas.Select(r => r.Sum).ToArray(), deltas.Select(r => r.Min).ToArray(), deltas.Select(r => r.Max).ToArray(),
                    deltas.Select(r => r.LatestTime.ToUniversalTime()).ToArray(), deltas.Select(r => r.LatestValue).ToArray())) +
                ")" + onConflict;
            await command.ExecuteNonQueryAsync(cancellationToken);
            return;
        }

        foreach (var chunk in deltas.Chunk(RowsPerStatement))
        {
            await using var command = CreateCommand();
            var sql = new StringBuilder($"INSERT INTO {Table("meter_rollups")} ({Columns}) VALUES ");
            for (var i = 0; i < chunk.Length; i++)
            {
                var r = chunk[i];
                sql.Append(i == 0 ? "(" : ", (");
                sql.AppendJoin(", ", Parameters(command, Id(r.TenantId), Id(r.MeterId), r.PeriodMinutes, Time(r.Start), r.Subject, r.Dimensions, r.Count, r.Sum, r.Min, r.Max, Time(r.LatestTime), r.LatestValue));
                sql.Append(')');
            }

            command.CommandText = sql.Append(onConflict).ToString();
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Records the distinct values UNIQUE_COUNT meters saw; a value already seen in its minute is a no-op.</summary>
    public async Task AddDistinctValuesAsync(IReadOnlyList<MeterDistinctValue> values, CancellationToken cancellationToken)
    {
        foreach (var chunk in values.Chunk(RowsPerStatement))
        {
            await using var command = CreateCommand();
            var sql = new StringBuilder($"INSERT INTO {Table("meter_distinct_values")} (tenant_id, meter_id, minute, subject, dimensions, value) VALUES ");
            for (var i = 0; i < chunk.Length; i++)
            {
                var v = chunk[i];
                sql.Append(i == 0 ? "(" : ", (");
                sql.AppendJoin(", ", Parameters(command, Id(v.TenantId), Id(v.MeterId), Time(v.Minute), v.Subject, v.Dimensions, v.Value));
                sql.Append(')');
            }

            sql.Append(" ON CONFLICT DO NOTHING");
            command.CommandText = sql.ToString();
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Deletes up to <paramref name="limit"/> events received before <paramref name="cutoff"/>; returns how many.
    /// Ids are version 7 UUIDs made at receipt, so "received before" is "id below the cutoff's smallest id",
    /// which the primary key answers without an index on the time of receipt.
    /// </summary>
    public async Task<int> DeleteEventsReceivedBeforeAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken)
    {
        var table = Table("usage_events");
        await using var command = CreateCommand();
        var parameters = Parameters(command, Id(SmallestVersion7Id(cutoff)), limit).ToArray();
        command.CommandText = $"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE id < {parameters[0]} ORDER BY id LIMIT {parameters[1]})";
        await db.Database.OpenConnectionAsync(cancellationToken); // nested opens are counted: closing leaves an outer one open
        try
        {
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The version 7 UUID that sorts before every one made at or after <paramref name="instant"/>.</summary>
    internal static Guid SmallestVersion7Id(DateTimeOffset instant)
    {
        var bytes = new byte[16];
        var milliseconds = instant.ToUnixTimeMilliseconds();
        for (var i = 0; i < 6; i++)
        {
            bytes[i] = (byte)(milliseconds >> (8 * (5 - i)));
        }

        bytes[6] = 0x70; // version 7, the rest zero
        return new Guid(bytes, bigEndian: true);
    }

    private async Task ReadIdsAsync(DbCommand command, HashSet<Guid> ids, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(_isPostgres ? reader.GetGuid(0) : Guid.Parse(reader.GetString(0)));
        }
    }

    private DbCommand CreateCommand()
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        return command;
    }

    /// <summary>Adds each value as a parameter and returns the placeholders; values never enter the SQL text.</summary>
    private static IEnumerable<string> Parameters(DbCommand command, params object?[] values)
    {
        var names = new string[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@p" + command.Parameters.Count;
            parameter.Value = values[i] ?? DBNull.Value;
            command.Parameters.Add(parameter);
            names[i] = parameter.ParameterName;
        }

        return names;
    }

    // Table names come from code, never from input; SQLite has no schemas (one file per module).
    private string Table(string name) => _isPostgres ? $"\"{MeteringDbContext.SchemaName}\".\"{name}\"" : $"\"{name}\"";

    // Stored as EF stores them: uuid/timestamptz on PostgreSQL; upper-case text and UTC ticks on SQLite.
    private object Id(Guid id) => _isPostgres ? id : id.ToString().ToUpperInvariant();

    private object Time(DateTimeOffset time) => _isPostgres ? time.ToUniversalTime() : time.UtcTicks;
}
