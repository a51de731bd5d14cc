using Microsoft.EntityFrameworkCore;
using Modular.Features.Domain;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;

namespace Modular.Features.Persistence;

public sealed class FeaturesDbContext(DbContextOptions<FeaturesDbContext> options, ITenantContext tenantContext)
    : ModuleDbContext(options, tenantContext)
{
    public const string SchemaName = "features";

    public override string Schema => SchemaName;

    public DbSet<FeatureFlag> Flags => Set<FeatureFlag>();

    public DbSet<TenantOverride> Overrides => Set<TenantOverride>();

    public DbSet<FlagChange> Changes => Set<FlagChange>();

    /// <summary>The flag with this key, with its overrides; <see cref="Kernel.Errors.NotFoundException"/> otherwise.</summary>
    public async Task<FeatureFlag> GetFlagAsync(string key, CancellationToken cancellationToken) =>
        await Flags.Include(f => f.Overrides).FirstOrDefaultAsync(f => f.Key == key, cancellationToken)
        ?? throw new Kernel.Errors.NotFoundException("Feature flag", key);


    /// <summary>History is append-only.</summary>
    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        if (ChangeTracker.Entries<FlagChange>().Any(e => e.State is EntityState.Modified or EntityState.Deleted))
        {
            throw new InvalidOperationException("Feature flag history is append-only.");
        }

        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<FeatureFlag>(flag =>
        {
            flag.HasKey(f => f.Id);
            flag.Property(f => f.Key).HasMaxLength(FeatureFlag.KeyMaxLength);
            flag.HasIndex(f => f.Key).IsUnique();
            flag.Property(f => f.Description).HasMaxLength(FeatureFlag.DescriptionMaxLength);
            flag.Property(f => f.Type).HasMaxLength(32);
            flag.Property(f => f.Owner).HasMaxLength(FeatureFlag.OwnerMaxLength);
            flag.Property(f => f.RequirementType).HasMaxLength(8);
            flag.Property(f => f.Version).IsConcurrencyToken();
            flag.HasMany(f => f.Overrides).WithOne().HasForeignKey(o => o.FlagId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<TenantOverride>(tenantOverride =>
        {
            tenantOverride.HasKey(o => new { o.FlagId, o.TenantId });
            tenantOverride.HasIndex(o => o.TenantId);
            tenantOverride.Property(o => o.Variant).HasMaxLength(FeatureFlag.KeyMaxLength);
        });
        modelBuilder.Entity<FlagChange>(change =>
        {
            change.HasKey(c => c.Id);
            change.Property(c => c.Actor).HasMaxLength(200);
            change.Property(c => c.Action).HasMaxLength(64);
            change.Property(c => c.Key).HasMaxLength(FeatureFlag.KeyMaxLength);
            change.Property(c => c.Reason).HasMaxLength(FeatureFlag.ReasonMaxLength);
            change.HasIndex(c => new { c.Key, c.OccurredAt });
            change.HasIndex(c => new { c.TenantId, c.OccurredAt });
        });
    }
}

/// <summary>For <c>dotnet ef migrations add</c>; see eng/add-migration.sh.</summary>
internal sealed class FeaturesDesignTimeFactory() : ModuleDesignTimeFactory<FeaturesDbContext>(FeaturesDbContext.SchemaName)
{
    protected override FeaturesDbContext Create(DbContextOptions<FeaturesDbContext> options) => new(options, new TenantScope());
}
