using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Modular.Identity.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SsoConnections : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<List<string>>(
                name: "sso_roles",
                schema: "identity",
                table: "memberships",
                type: "text[]",
                nullable: false);

            migrationBuilder.CreateTable(
                name: "sso_connections",
                schema: "identity",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    issuer = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    client_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    protected_client_secret = table.Column<string>(type: "text", nullable: false),
                    scopes = table.Column<List<string>>(type: "text[]", nullable: false),
                    email_claim = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    name_claim = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    groups_claim = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    enforce_sso = table.Column<bool>(type: "boolean", nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    last_sign_in_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_tested_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_error = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    last_error_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    group_roles = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sso_connections", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "sso_domains",
                schema: "identity",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    connection_id = table.Column<Guid>(type: "uuid", nullable: false),
                    domain = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    verification_token = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    verified_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    verified_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sso_domains", x => x.id);
                    table.ForeignKey(
                        name: "fk_sso_domains_sso_connections_connection_id",
                        column: x => x.connection_id,
                        principalSchema: "identity",
                        principalTable: "sso_connections",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_sso_connections_tenant_id",
                schema: "identity",
                table: "sso_connections",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "ix_sso_domains_connection_id_domain",
                schema: "identity",
                table: "sso_domains",
                columns: new[] { "connection_id", "domain" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sso_domains_tenant_id",
                schema: "identity",
                table: "sso_domains",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "ix_sso_domains_verified_domain",
                schema: "identity",
                table: "sso_domains",
                column: "domain",
                unique: true,
                filter: "verified_at IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "sso_domains",
                schema: "identity");

            migrationBuilder.DropTable(
                name: "sso_connections",
                schema: "identity");

            migrationBuilder.DropColumn(
                name: "sso_roles",
                schema: "identity",
                table: "memberships");
        }
    }
}
