using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Modular.Identity.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TenantApiKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "tenant_api_keys",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    client_id = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    last_used_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tenant_api_keys", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_tenant_api_keys_client_id",
                table: "tenant_api_keys",
                column: "client_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_tenant_api_keys_tenant_id_created_at",
                table: "tenant_api_keys",
                columns: new[] { "tenant_id", "created_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "tenant_api_keys");
        }
    }
}
