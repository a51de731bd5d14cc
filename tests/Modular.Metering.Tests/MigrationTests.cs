using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using Modular.Metering.Domain;
using Modular.Metering.Persistence;
using static Modular.Metering.Tests.MeteringApi;

namespace Modular.Metering.Tests;

/// <summary>Migrations that move data, run on a database that already holds some.</summary>
public sealed class MigrationTests(PostgresServer postgres)
{
    private static readonly Guid Tenant = Guid.Parse("0190a000-0000-7000-8000-000000000001");
    private static readonly Guid Meter = Guid.Parse("0190a000-0000-7000-8000-000000000002");

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task The_hourly_rollups_migration_folds_the_minutes_already_stored_into_their_hours(DatabaseProvider provider)
    {
        var directory = provider == DatabaseProvider.Sqlite ? Directory.CreateTempSubdirectory("modular-migration-").FullName : null;
        try
        {
            var database = new DatabaseOptions
            {
                Provider = provider,
                // Migrations, and the rows stored before them, are the schema owner's.
                ConnectionString = directory is null ? PostgresServer.AsOwner(await postgres.CreateDatabaseAsync()) : $"Data Source={Path.Combine(directory, "modular-{module}.db")}",
            };
            var options = new DbContextOptionsBuilder<MeteringDbContext>();
            ModuleDatabase.Configure(options, database, MeteringDbContext.SchemaName);
            var scope = new TenantScope();
            scope.EnterAllTenants();
            await using var db = new MeteringDbContext(options.Options, scope);
            var migrator = db.GetService<IMigrator>();
            await migrator.MigrateAsync(db.Database.GetMigrations().Single(m => m.EndsWith("_Billing", StringComparison.Ordinal)), Ct);

            // Per-minute usage as the module stored it before hours existed: two minutes of one hour and one
            // of the next for subject "a", one minute for subject "b".
            var hour = DateTimeOffset.Parse("2025-03-01T10:00:00Z");
            await InsertMinuteAsync(db, "a", hour.AddMinutes(5), count: 2, sum: 5, min: 1, max: 4, latest: (hour.AddSeconds(330), 4));
            await InsertMinuteAsync(db, "a", hour.AddMinutes(40), count: 1, sum: 7, min: 7, max: 7, latest: (hour.AddSeconds(2412), 7));
            await InsertMinuteAsync(db, "a", hour.AddMinutes(60), count: 3, sum: 3, min: 1, max: 1, latest: (hour.AddSeconds(3654), 1));
            await InsertMinuteAsync(db, "b", hour.AddMinutes(10), count: 1, sum: 2, min: 2, max: 2, latest: (hour.AddMinutes(10), 2));

            await migrator.MigrateAsync(cancellationToken: Ct);

            var rows = (await db.Rollups.AsNoTracking().ToListAsync(Ct))
                .Select(r => (r.PeriodMinutes, r.Subject, r.Start, r.Count, r.Sum, r.Min, r.Max, r.LatestTime, r.LatestValue))
                .OrderBy(r => r.PeriodMinutes).ThenBy(r => r.Subject, StringComparer.Ordinal).ThenBy(r => r.Start).ToList();
            Assert.Equal(4, rows.Count(r => r.PeriodMinutes == MeterRollup.Minute)); // the minutes stay as they were
            Assert.Equal(
                [
                    (MeterRollup.Hour, "a", hour, 3L, 12d, 1d, 7d, hour.AddSeconds(2412), 7d),
                    (MeterRollup.Hour, "a", hour.AddHours(1), 3L, 3d, 1d, 1d, hour.AddSeconds(3654), 1d),
                    (MeterRollup.Hour, "b", hour, 1L, 2d, 2d, 2d, hour.AddMinutes(10), 2d),
                ],
                rows.Where(r => r.PeriodMinutes == MeterRollup.Hour));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (directory is not null)
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>One row of the pre-hourly table, stored as EF stored it: uuid/timestamptz on PostgreSQL, upper-case text and UTC ticks on SQLite.</summary>
    private static async Task InsertMinuteAsync(
        MeteringDbContext db, string subject, DateTimeOffset minute, long count, double sum, double min, double max, (DateTimeOffset Time, double Value) latest)
    {
        var postgres = db.Database.IsNpgsql();
        object Id(Guid id) => postgres ? id : id.ToString().ToUpperInvariant();
        object Time(DateTimeOffset time) => postgres ? time : time.UtcTicks;
        var values = new[] { Id(Tenant), Id(Meter), Time(minute), subject, "{}", count, sum, min, max, Time(latest.Time), latest.Value };

        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(Ct);
        try
        {
            await using var command = connection.CreateCommand();
            var table = postgres ? "metering.meter_rollups" : "meter_rollups";
            command.CommandText = $"INSERT INTO {table} (tenant_id, meter_id, minute, subject, dimensions, count, sum, min, max, latest_time, latest_value) " +
                $"VALUES ({string.Join(", ", values.Select((_, i) => "@p" + i))})";
            foreach (var (value, i) in values.Select((v, i) => (v, i)))
            {
                DbParameter parameter = command.CreateParameter();
                parameter.ParameterName = "@p" + i;
                parameter.Value = value;
                command.Parameters.Add(parameter);
            }

            await command.ExecuteNonQueryAsync(Ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
