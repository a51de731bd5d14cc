using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Modular.Metering.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class HourlyRollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "pk_meter_rollups",
                schema: "metering",
                table: "meter_rollups");

            migrationBuilder.RenameColumn(
                name: "minute",
                schema: "metering",
                table: "meter_rollups",
                newName: "start");

            migrationBuilder.AddColumn<int>(
                name: "period_minutes",
                schema: "metering",
                table: "meter_rollups",
                type: "integer",
                nullable: false,
                defaultValue: 1); // the rows so far are per-minute rows

            migrationBuilder.AddPrimaryKey(
                name: "pk_meter_rollups",
                schema: "metering",
                table: "meter_rollups",
                columns: new[] { "tenant_id", "meter_id", "period_minutes", "start", "subject", "dimensions" });

            // Per-hour rows for the usage recorded so far, from its per-minute rows. Row-level security binds
            // the owner too (FORCE), so this transaction sees every tenant.
            migrationBuilder.Sql("""
                SELECT set_config('app.tenant_id', '*', true);
                INSERT INTO metering.meter_rollups (tenant_id, meter_id, period_minutes, start, subject, dimensions, count, sum, min, max, latest_time, latest_value)
                SELECT tenant_id, meter_id, 60, date_trunc('hour', start, 'UTC'), subject, dimensions, sum(count), sum(sum), min(min), max(max),
                       max(latest_time), (array_agg(latest_value ORDER BY latest_time DESC))[1]
                FROM metering.meter_rollups
                WHERE period_minutes = 1
                GROUP BY tenant_id, meter_id, date_trunc('hour', start, 'UTC'), subject, dimensions;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("SELECT set_config('app.tenant_id', '*', true); DELETE FROM metering.meter_rollups WHERE period_minutes <> 1;");

            migrationBuilder.DropPrimaryKey(
                name: "pk_meter_rollups",
                schema: "metering",
                table: "meter_rollups");

            migrationBuilder.DropColumn(
                name: "period_minutes",
                schema: "metering",
                table: "meter_rollups");

            migrationBuilder.RenameColumn(
                name: "start",
                schema: "metering",
                table: "meter_rollups",
                newName: "minute");

            migrationBuilder.AddPrimaryKey(
                name: "pk_meter_rollups",
                schema: "metering",
                table: "meter_rollups",
                columns: new[] { "tenant_id", "meter_id", "minute", "subject", "dimensions" });
        }
    }
}
