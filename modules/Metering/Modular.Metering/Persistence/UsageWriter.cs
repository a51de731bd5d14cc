using System.Buffers.Binary;
using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Modular.Kernel.Persistence;
using Modular.Metering.Domain;
using Npgsql;

namespace Modular.Metering.Persistence;

/// <summary>
/// Writes events and their rollups with set-based, parameterised SQL on the context's own connection
/// (so PostgreSQL's row-level security applies). Events go in with <c>INSERT ... ON CONFLICT DO NOTHING
/// RETURNING</c>, which tells which events are new even when two connections race for the same event
/// (on PostgreSQL only after a plain INSERT of the whole batch met a stored duplicate), and only those
/// are added to the rollups with <c>ON CONFLICT DO UPDATE</c>. PostgreSQL and SQLite share the syntax;
/// only the table names, the two-argument min/max and how ids and times are stored differ; on PostgreSQL
/// the rows travel as one typed array parameter per column (<c>unnest</c>) rather than one parameter per value.
/// </summary>
internal sealed class UsageWriter(MeteringDbContext db)
{
    // Rows per statement: keeps parameters well under SQLite's 32,766 and PostgreSQL's 65,535.
    private const int RowsPerStatement = 500;

    private const string AllNewSavepoint = "usage_events_all_new";

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
            // Nearly every batch is all new, and a plain INSERT costs PostgreSQL ~40% less than one with
            // ON CONFLICT (speculative insertion) and RETURNING. A stored duplicate (a client's retry, or a
            // race with another connection, which waits for the other to commit) fails it with a unique
            // violation; then the batch runs again from a savepoint, skipping the stored ones.
            var transaction = db.Database.CurrentTransaction ?? throw new InvalidOperationException("Events are inserted inside the caller's transaction.");
            await transaction.CreateSavepointAsync(AllNewSavepoint, cancellationToken);
            try
            {
                await using var plain = EventArrays(events, $"INSERT INTO {Table("usage_events")} ({Columns}) ");
                await plain.ExecuteNonQueryAsync(cancellationToken);
                inserted.UnionWith(events.Select(e => e.Id));
                return inserted;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                await transaction.RollbackToSavepointAsync(AllNewSavepoint, cancellationToken);
            }

            await using var skipping = EventArrays(events, $"INSERT INTO {Table("usage_events")} ({Columns}) ", OnConflict);
            await ReadIdsAsync(skipping, inserted, cancellationToken);
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
            command.CommandText = $"INSERT INTO {Table("meter_rollups")} ({Columns}) SELECT * FROM unnest(" + string.Join(", ",
                Array(command, deltas, r => r.TenantId), Array(command, deltas, r => r.MeterId), Array(command, deltas, r => r.PeriodMinutes),
                Array(command, deltas, r => r.Start.ToUniversalTime()), Array(command, deltas, r => r.Subject), Array(command, deltas, r => r.Dimensions),
                Array(command, deltas, r => r.Count), Array(command, deltas, r => r.Sum), Array(command, deltas, r => r.Min), Array(command, deltas, r => r.Max),
                Array(command, deltas, r => r.LatestTime.ToUniversalTime()), Array(command, deltas, r => r.LatestValue)) +
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
        // In a transaction of its own, which is what tells PostgreSQL the scope (row-level security).
        return await db.Database.InTransactionAsync(
            async token =>
            {
                command.Transaction = db.Database.CurrentTransaction!.GetDbTransaction();
                return await command.ExecuteNonQueryAsync(token);
            },
            cancellationToken);
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

    /// <summary>
    /// <c>INSERT ... SELECT * FROM unnest(...)</c> of the events on PostgreSQL: one statement of eleven
    /// array parameters, which PostgreSQL plans once whatever the batch size.
    /// </summary>
    private DbCommand EventArrays(IReadOnlyList<StoredUsageEvent> events, string insert, string tail = "")
    {
        var command = CreateCommand();
        command.CommandText = insert + "SELECT * FROM unnest(" + string.Join(", ",
            Array(command, events, e => e.Id), Array(command, events, e => e.TenantId), Array(command, events, e => e.Source),
            Array(command, events, e => e.EventId), Array(command, events, e => e.Type), Array(command, events, e => e.Subject),
            Array(command, events, e => e.Time.ToUniversalTime()), Array(command, events, e => e.ReceivedAt.ToUniversalTime()),
            Array(command, events, e => e.Data), Array(command, events, e => e.Status), Array(command, events, e => e.ValidationError)) + ")" + tail;
        return command;
    }

    /// <summary>One column of <paramref name="rows"/> as a typed PostgreSQL array parameter (no boxing per value); returns its placeholder.</summary>
    private static string Array<TRow, TValue>(DbCommand command, IReadOnlyList<TRow> rows, Func<TRow, TValue> column)
    {
        var values = new TValue[rows.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = column(rows[i]);
        }

        var parameter = new NpgsqlParameter<TValue[]>("@p" + command.Parameters.Count, values);
        command.Parameters.Add(parameter);
        return parameter.ParameterName;
    }

    /// <summary>
    /// <paramref name="count"/> distinct, ascending version 7 UUIDs for events received at <paramref name="instant"/>:
    /// one random id, then its random tail counted up (RFC 9562, 6.2) — one call to the random source per
    /// batch rather than per event.
    /// </summary>
    internal static Guid[] Version7Ids(DateTimeOffset instant, int count)
    {
        Span<byte> bytes = stackalloc byte[16];
        Guid.CreateVersion7(instant).TryWriteBytes(bytes, bigEndian: true, out _);
        const ulong Variant = 0x8000_0000_0000_0000, RandomBits = 0x3FFF_FFFF_FFFF_FFFF;
        var tail = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]) & RandomBits;
        tail = Math.Min(tail, RandomBits - (ulong)count); // room to count up without wrapping
        var ids = new Guid[count];
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], Variant | (tail + (ulong)i));
            ids[i] = new Guid(bytes, bigEndian: true);
        }

        return ids;
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
