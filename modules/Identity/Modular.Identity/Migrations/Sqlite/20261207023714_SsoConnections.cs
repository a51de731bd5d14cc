using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Modular.Identity.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SsoConnections : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "sso_roles",
                table: "memberships",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.CreateTable(
                name: "sso_connections",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    issuer = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    client_id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    protected_client_secret = table.Column<string>(type: "TEXT", nullable: false),
                    scopes = table.Column<string>(type: "TEXT", nullable: false),
                    email_claim = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    name_claim = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    groups_claim = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    enforce_sso = table.Column<bool>(type: "INTEGER", nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    last_sign_in_at = table.Column<long>(type: "INTEGER", nullable: true),
                    last_tested_at = table.Column<long>(type: "INTEGER", nullable: true),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    last_error_at = table.Column<long>(type: "INTEGER", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    group_roles = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sso_connections", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "sso_domains",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    connection_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    domain = table.Column<string>(type: "TEXT", maxLength: 253, nullable: false),
                    verification_token = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    verified_at = table.Column<long>(type: "INTEGER", nullable: true),
                    verified_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sso_domains", x => x.id);
                    table.ForeignKey(
                        name: "fk_sso_domains_sso_connections_connection_id",
                        column: x => x.connection_id,
                        principalTable: "sso_connections",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_sso_connections_tenant_id",
                table: "sso_connections",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "ix_sso_domains_connection_id_domain",
                table: "sso_domains",
                columns: new[] { "connection_id", "domain" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sso_domains_tenant_id",
                table: "sso_domains",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "ix_sso_domains_verified_domain",
                table: "sso_domains",
                column: "domain",
                unique: true,
                filter: "verified_at IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "sso_domains");

            migrationBuilder.DropTable(
                name: "sso_connections");

            migrationBuilder.DropColumn(
                name: "sso_roles",
                table: "memberships");
        }
    }
}
