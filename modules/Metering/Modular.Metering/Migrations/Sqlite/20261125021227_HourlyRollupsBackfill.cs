using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Modular.Metering.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class HourlyRollupsBackfill : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Per-hour rows for the usage recorded before HourlyRollups, from its per-minute rows (times are UTC
            // ticks; the latest value is the one of the minute row with the latest time in its hour); an hour the
            // module has written since (or an earlier run of this backfill) is kept as it is.
            migrationBuilder.Sql("""
                INSERT OR IGNORE INTO meter_rollups (tenant_id, meter_id, period_minutes, start, subject, dimensions, count, sum, min, max, latest_time, latest_value)
                SELECT tenant_id, meter_id, 60, hour, subject, dimensions, sum(count), sum(sum), min(min), max(max),
                       max(latest_time), max(CASE WHEN latest_rank = 1 THEN latest_value END)
                FROM (SELECT *, start - start % 36000000000 AS hour,
                             ROW_NUMBER() OVER (PARTITION BY tenant_id, meter_id, start - start % 36000000000, subject, dimensions ORDER BY latest_time DESC) AS latest_rank
                      FROM meter_rollups
                      WHERE period_minutes = 1)
                GROUP BY tenant_id, meter_id, hour, subject, dimensions;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // HourlyRollups' Down removes every hour row.
        }
    }
}
