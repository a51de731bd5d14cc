using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Modular.Metering.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class HourlyRollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "pk_meter_rollups",
                table: "meter_rollups");

            migrationBuilder.RenameColumn(
                name: "minute",
                table: "meter_rollups",
                newName: "start");

            migrationBuilder.AddColumn<int>(
                name: "period_minutes",
                table: "meter_rollups",
                type: "INTEGER",
                nullable: false,
                defaultValue: 1); // the rows so far are per-minute rows

            migrationBuilder.AddPrimaryKey(
                name: "pk_meter_rollups",
                table: "meter_rollups",
                columns: new[] { "tenant_id", "meter_id", "period_minutes", "start", "subject", "dimensions" });

            // Per-hour rows for the usage recorded so far, from its per-minute rows (times are UTC ticks; the
            // latest value is the one of the minute row with the latest time in its hour).
            migrationBuilder.Sql("""
                INSERT INTO meter_rollups (tenant_id, meter_id, period_minutes, start, subject, dimensions, count, sum, min, max, latest_time, latest_value)
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
            migrationBuilder.Sql("DELETE FROM meter_rollups WHERE period_minutes <> 1;");

            migrationBuilder.DropPrimaryKey(
                name: "pk_meter_rollups",
                table: "meter_rollups");

            migrationBuilder.DropColumn(
                name: "period_minutes",
                table: "meter_rollups");

            migrationBuilder.RenameColumn(
                name: "start",
                table: "meter_rollups",
                newName: "minute");

            migrationBuilder.AddPrimaryKey(
                name: "pk_meter_rollups",
                table: "meter_rollups",
                columns: new[] { "tenant_id", "meter_id", "minute", "subject", "dimensions" });
        }
    }
}
