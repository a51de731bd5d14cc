using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using Modular.Orders.Domain;

namespace Modular.Orders.Persistence;

public sealed class OrdersDbContext(DbContextOptions<OrdersDbContext> options, ITenantContext tenantContext)
    : ModuleDbContext(options, tenantContext)
{
    public const string SchemaName = "orders";

    public override string Schema => SchemaName;

    public DbSet<Order> Orders => Set<Order>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Order>(entity =>
        {
            entity.HasKey(e => e.Id);
            entity.Property(e => e.Name).HasMaxLength(Order.NameMaxLength);
        });
    }
}

/// <summary>For <c>eng/add-migration.sh</c> (<c>dotnet ef migrations add</c>) without the host.</summary>
internal sealed class OrdersDesignTimeFactory() : ModuleDesignTimeFactory<OrdersDbContext>(OrdersDbContext.SchemaName)
{
    protected override OrdersDbContext Create(DbContextOptions<OrdersDbContext> options) => new(options, new TenantScope());
}
