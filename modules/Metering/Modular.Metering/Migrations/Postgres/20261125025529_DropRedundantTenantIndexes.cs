using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Modular.Metering.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DropRedundantTenantIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_usage_events_tenant_id",
                schema: "metering",
                table: "usage_events");

            migrationBuilder.DropIndex(
                name: "ix_statements_tenant_id",
                schema: "metering",
                table: "statements");

            migrationBuilder.DropIndex(
                name: "ix_meter_rollups_tenant_id",
                schema: "metering",
                table: "meter_rollups");

            migrationBuilder.DropIndex(
                name: "ix_meter_distinct_values_tenant_id",
                schema: "metering",
                table: "meter_distinct_values");

            migrationBuilder.DropIndex(
                name: "ix_billing_profiles_tenant_id",
                schema: "metering",
                table: "billing_profiles");

            migrationBuilder.DropIndex(
                name: "ix_audit_entries_tenant_id",
                schema: "metering",
                table: "audit_entries");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_usage_events_tenant_id",
                schema: "metering",
                table: "usage_events",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "ix_statements_tenant_id",
                schema: "metering",
                table: "statements",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "ix_meter_rollups_tenant_id",
                schema: "metering",
                table: "meter_rollups",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "ix_meter_distinct_values_tenant_id",
                schema: "metering",
                table: "meter_distinct_values",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "ix_billing_profiles_tenant_id",
                schema: "metering",
                table: "billing_profiles",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "ix_audit_entries_tenant_id",
                schema: "metering",
                table: "audit_entries",
                column: "tenant_id");
        }
    }
}
