using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Modular.Kernel.Auditing;
using Modular.Kernel.Outbox;
using Modular.Kernel.Tenancy;

namespace Modular.Kernel.Persistence;

public static class ModuleDatabase
{
    /// <summary>Each module's migrations history, in its own schema; readiness reads it.</summary>
    public const string HistoryTable = "__ef_migrations_history";

    /// <summary>
    /// Registers a module's <c>DbContext</c> on the configured provider, in its own schema (own file on
    /// SQLite), with its migrations, its outbox worker and a readiness check.
    /// </summary>
    public static IServiceCollection AddModuleDbContext<TContext>(this IServiceCollection services, string schema)
        where TContext : ModuleDbContext
    {
        services.AddDbContext<TContext>(
            (sp, options) =>
            {
                Configure(options, sp.GetRequiredService<IOptions<DatabaseOptions>>().Value, schema);
                options.AddInterceptors(sp.GetRequiredService<AfterCommit>());
            },
            optionsLifetime: ServiceLifetime.Singleton);
        services.AddScoped<ModuleDbContext>(sp => sp.GetRequiredService<TContext>());
        services.AddKernelCore();
        services.TryAddSingleton<AfterCommit>();
        services.AddSingleton<OutboxDispatcher<TContext>>();
        services.AddHostedService<OutboxWorker<TContext>>();

        services.AddHealthChecks().AddCheck<ModuleDatabaseHealthCheck<TContext>>($"db:{schema}", tags: ["ready"]);
        return services;
    }

    /// <summary>Points a context at the configured database; shared by the host and by <c>dotnet ef</c>.</summary>
    public static void Configure(DbContextOptionsBuilder options, DatabaseOptions database, string schema)
    {
        var connectionString = database.ConnectionStringFor(schema);
        switch (database.Provider)
        {
            case DatabaseProvider.Postgres:
                // Transient failures are retried (work with its own transaction goes through InTransactionAsync).
                options.UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable(HistoryTable, schema)
                        .EnableRetryOnFailure(database.MaxRetryCount, database.MaxRetryDelay, errorCodesToAdd: null))
                    .AddInterceptors(TenantSettingInterceptor.Instance);
                break;
            case DatabaseProvider.Sqlite:
                CreateDirectoryFor(connectionString);
                options.UseSqlite(connectionString, sqlite => sqlite.MigrationsHistoryTable(HistoryTable))
                    .AddInterceptors(SqlitePragmas.Instance);
                break;
            default:
                throw new InvalidOperationException($"Unknown Database:Provider '{database.Provider}'.");
        }

        options.UseSnakeCaseNamingConvention();
        options.ReplaceService<IMigrationsAssembly, ProviderMigrationsAssembly>();
    }

    /// <summary>
    /// Applies every module's pending migrations, module by module, as the migration role
    /// (<see cref="DatabaseOptions.MigrationConnectionString"/>), then what the kernel derives from its model: row-level
    /// security, the audit trail's one way out, and the runtime role's privileges.
    /// </summary>
    public static async Task MigrateModuleDatabasesAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var database = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        await using var scope = services.CreateAsyncScope();
        foreach (var db in scope.ServiceProvider.GetServices<ModuleDbContext>())
        {
            db.Database.SetConnectionString(database.MigrationConnectionStringFor(db.Schema));
            await db.Database.MigrateAsync(cancellationToken);
            if (db.Database.IsNpgsql())
            {
                await DeriveFromModelAsync(db, database, cancellationToken);
            }
        }
    }

    /// <summary>
    /// All or nothing, so instances still serving never see a module half done, and one migrator at a time: two
    /// instances migrating on start-up would otherwise race on the same catalog rows.
    /// </summary>
    private static Task DeriveFromModelAsync(ModuleDbContext db, DatabaseOptions database, CancellationToken cancellationToken) =>
        db.Database.InTransactionAsync(async token =>
        {
            var lockKey = $"{db.Schema}.migrate";
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({lockKey}, 0))", token);
            await TenantRowSecurity.ApplyAsync(db, token);
            await AuditErasure.CreateAsync(db, token);
            await RuntimeRolePrivileges.GrantAsync(db, database, token);
        }, cancellationToken);

    private static void CreateDirectoryFor(string sqliteConnectionString)
    {
        var file = new SqliteConnectionStringBuilder(sqliteConnectionString).DataSource;
        var directory = Path.GetDirectoryName(Path.GetFullPath(file));
        if (file != ":memory:" && !string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
    }
}
