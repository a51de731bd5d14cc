using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Domain;

namespace Modular.Tenants.Persistence;

public sealed class TenantsDbContext(DbContextOptions<TenantsDbContext> options, ITenantContext tenantContext)
    : ModuleDbContext(options, tenantContext)
{
    public const string SchemaName = "tenants";

    public override string Schema => SchemaName;

    public DbSet<Tenant> Tenants => Set<Tenant>();

    /// <summary>The tenant with this id; <see cref="Kernel.Errors.NotFoundException"/> otherwise.</summary>
    public async Task<Tenant> GetTenantAsync(Guid id, CancellationToken cancellationToken) =>
        await Tenants.FirstOrDefaultAsync(t => t.Id == id, cancellationToken)
        ?? throw new Kernel.Errors.NotFoundException("Tenant", id);

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Tenant>(tenant =>
        {
            tenant.HasKey(t => t.Id);
            tenant.Property(t => t.Slug).HasMaxLength(Tenant.SlugMaxLength);
            tenant.HasIndex(t => t.Slug).IsUnique();
            tenant.Property(t => t.Name).HasMaxLength(Tenant.NameMaxLength);
            tenant.HasIndex(t => t.Name);
            tenant.Property(t => t.Plan).HasMaxLength(Tenant.PlanMaxLength);
            tenant.Property(t => t.Status).HasConversion<string>().HasMaxLength(32);
            tenant.HasIndex(t => t.Status);
            tenant.Property(t => t.SuspensionReason).HasMaxLength(Tenant.ReasonMaxLength);
            tenant.Property(t => t.Version).IsConcurrencyToken();
            tenant.Property(t => t.Metadata).HasConversion(
                value => JsonSerializer.Serialize(value, (JsonSerializerOptions?)null),
                json => JsonSerializer.Deserialize<Dictionary<string, string>>(json, (JsonSerializerOptions?)null) ?? new Dictionary<string, string>(),
                new ValueComparer<Dictionary<string, string>>(
                    (a, b) => a!.Count == b!.Count && !a.Except(b).Any(),
                    d => d.Aggregate(0, (hash, pair) => HashCode.Combine(hash, pair.Key, pair.Value)),
                    d => new Dictionary<string, string>(d)));
        });
    }
}

/// <summary>For <c>dotnet ef migrations add</c>; see eng/add-migration.sh.</summary>
internal sealed class TenantsDesignTimeFactory() : ModuleDesignTimeFactory<TenantsDbContext>(TenantsDbContext.SchemaName)
{
    protected override TenantsDbContext Create(DbContextOptions<TenantsDbContext> options) => new(options, new TenantScope());
}
