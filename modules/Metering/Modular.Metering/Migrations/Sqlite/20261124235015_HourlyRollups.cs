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

            // The hour rows for usage stored before this migration come in HourlyRollupsBackfill: on SQLite the
            // key changes above happen by rebuilding the table after every other operation of a migration, so
            // an INSERT here would still meet the old key.
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
