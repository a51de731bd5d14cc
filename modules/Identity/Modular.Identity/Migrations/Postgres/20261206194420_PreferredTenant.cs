using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Modular.Identity.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PreferredTenant : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "preferred_tenant_id",
                schema: "identity",
                table: "users",
                type: "uuid",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "preferred_tenant_id",
                schema: "identity",
                table: "users");
        }
    }
}
