using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Modular.Identity.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PreferredTenant : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "preferred_tenant_id",
                table: "users",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "preferred_tenant_id",
                table: "users");
        }
    }
}
