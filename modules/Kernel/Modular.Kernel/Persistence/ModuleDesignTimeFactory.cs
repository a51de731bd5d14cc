using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Modular.Kernel.Persistence;

/// <summary>
/// Lets <c>dotnet ef</c> build a module's context without the host. The provider comes from the
/// <c>MODULAR_EF_PROVIDER</c> environment variable (Sqlite | Postgres); eng/add-migration.sh sets it for each provider in turn.
/// </summary>
public abstract class ModuleDesignTimeFactory<TContext>(string schema) : IDesignTimeDbContextFactory<TContext>
    where TContext : ModuleDbContext
{
    public TContext CreateDbContext(string[] args)
    {
        var provider = Enum.Parse<DatabaseProvider>(Environment.GetEnvironmentVariable("MODULAR_EF_PROVIDER") ?? "Sqlite", ignoreCase: true);
        var database = new DatabaseOptions
        {
            Provider = provider,
            ConnectionString = provider == DatabaseProvider.Postgres
                ? "Host=localhost;Database=modular_design_time"
                : "Data Source={module}-design-time.db", // never opened: migrations are generated, not applied
        };
        var options = new DbContextOptionsBuilder<TContext>();
        ModuleDatabase.Configure(options, database, schema);
        return Create(options.Options);
    }

    protected abstract TContext Create(DbContextOptions<TContext> options);
}
