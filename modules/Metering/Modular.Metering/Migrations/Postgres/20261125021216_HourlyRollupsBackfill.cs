using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Modular.Metering.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class HourlyRollupsBackfill : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Per-hour rows for the usage recorded before HourlyRollups, from its per-minute rows; an hour the
            // module has written since (or an earlier run of this backfill) is kept as it is. Row-level security
            // binds the owner too (FORCE), so this transaction sees every tenant.
            migrationBuilder.Sql("""
                SELECT set_config('app.tenant_id', '*', true);
                INSERT INTO metering.meter_rollups (tenant_id, meter_id, period_minutes, start, subject, dimensions, count, sum, min, max, latest_time, latest_value)
                SELECT tenant_id, meter_id, 60, date_trunc('hour', start, 'UTC'), subject, dimensions, sum(count), sum(sum), min(min), max(max),
                       max(latest_time), (array_agg(latest_value ORDER BY latest_time DESC))[1]
                FROM metering.meter_rollups
                WHERE period_minutes = 1
                GROUP BY tenant_id, meter_id, date_trunc('hour', start, 'UTC'), subject, dimensions
                ON CONFLICT (tenant_id, meter_id, period_minutes, start, subject, dimensions) DO NOTHING;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // HourlyRollups' Down removes every hour row.
        }
    }
}
