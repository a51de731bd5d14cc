using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Persistence;
using Modular.Tenants.Domain;

namespace Modular.Tenants.Persistence;

public sealed class TenantsDbContext(DbContextOptions<TenantsDbContext> options) : ModuleDbContext(options)
{
    public const string SchemaName = "tenants";

    public override string Schema => SchemaName;

    public DbSet<Tenant> Tenants => Set<Tenant>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Tenant>(tenant =>
        {
            tenant.HasKey(t => t.Id);
            tenant.Property(t => t.Slug).HasMaxLength(Tenant.SlugMaxLength);
            tenant.HasIndex(t => t.Slug).IsUnique();
            tenant.Property(t => t.Name).HasMaxLength(Tenant.NameMaxLength);
            tenant.Property(t => t.Plan).HasMaxLength(64);
            tenant.Property(t => t.Status).HasConversion<string>().HasMaxLength(32);
        });
    }
}

/// <summary>For <c>dotnet ef migrations add</c>; see docs/migrations.md.</summary>
internal sealed class TenantsDesignTimeFactory() : ModuleDesignTimeFactory<TenantsDbContext>(TenantsDbContext.SchemaName)
{
    protected override TenantsDbContext Create(DbContextOptions<TenantsDbContext> options) => new(options);
}
