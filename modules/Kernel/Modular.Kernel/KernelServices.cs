using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Modular.Kernel.Auditing;
using Modular.Kernel.Cluster;
using Modular.Kernel.Errors;
using Modular.Kernel.Outbound;
using Modular.Kernel.Outbox;
using Modular.Kernel.Persistence;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;

namespace Modular.Kernel;

public static class KernelServices
{
    /// <summary>What every module relies on: settings, the clock, problem details, tenant scope and caller.</summary>
    public static IServiceCollection AddModularKernel(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<DatabaseOptions>(configuration.GetSection(DatabaseOptions.Section));
        services.Configure<OutboxOptions>(configuration.GetSection(OutboxOptions.Section));
        services.Configure<TenancyOptions>(configuration.GetSection(TenancyOptions.Section));
        services.AddModularProblemDetails();
        services.AddClusterBus();
        return services.AddKernelCore();
    }

    /// <summary>How instances tell each other (docs/adr/0020): PostgreSQL NOTIFY, or no one on SQLite.</summary>
    private static void AddClusterBus(this IServiceCollection services)
    {
        services.AddSingleton<PostgresClusterBus>();
        services.AddHostedService(sp => sp.GetRequiredService<PostgresClusterBus>()); // listens on PostgreSQL only
        services.AddSingleton<IClusterBus>(sp => sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider == DatabaseProvider.Postgres
            ? sp.GetRequiredService<PostgresClusterBus>()
            : new LocalClusterBus());
        services.AddSingleton<ClusterCache>();
        services.AddSingleton<IClusterListener>(sp => sp.GetRequiredService<ClusterCache>());
    }

    /// <summary>The services a module database needs; also called by <see cref="ModuleDatabase.AddModuleDbContext{TContext}"/>.</summary>
    internal static IServiceCollection AddKernelCore(this IServiceCollection services)
    {
        services.TryAddSingleton<TimeProvider>(DatabaseClock.Instance);
        services.TryAddSingleton<IOutboundHostResolver, DnsHostResolver>(); // for every module's guarded outbound connections
        services.TryAddSingleton<OutboxSignal>();
        services.TryAddSingleton<ExclusiveWork>();
        services.AddHttpContextAccessor();
        services.AddHybridCache();
        services.TryAddScoped<CallerScope>();
        services.TryAddScoped<ICaller, Caller>();
        services.TryAddScoped<GrantCheck>();
        services.TryAddScoped<TenantAuditTrails>();
        services.TryAddScoped<OutboxBacklog>();
        services.TryAddScoped<TenantScope>();
        services.TryAddScoped<ITenantContext>(sp => sp.GetRequiredService<TenantScope>());
        return services;
    }
}
