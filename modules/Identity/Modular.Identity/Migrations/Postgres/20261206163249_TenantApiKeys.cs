using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Modular.Identity.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TenantApiKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "tenant_api_keys",
                schema: "identity",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    client_id = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    created_by = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    last_used_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tenant_api_keys", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_tenant_api_keys_client_id",
                schema: "identity",
                table: "tenant_api_keys",
                column: "client_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_tenant_api_keys_tenant_id_created_at",
                schema: "identity",
                table: "tenant_api_keys",
                columns: new[] { "tenant_id", "created_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "tenant_api_keys",
                schema: "identity");
        }
    }
}
