using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Modular.Kernel.Auditing;
using Modular.Kernel.Cluster;
using Modular.Kernel.Errors;
using Modular.Kernel.Outbound;
using Modular.Kernel.Outbox;
using Modular.Kernel.Persistence;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using StackExchange.Redis;

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
        services.AddCluster(configuration);
        services.AddGracefulShutdown(configuration);
        return services.AddKernelCore();
    }

    /// <summary>The drain on SIGTERM and the bound on finishing in-flight work; the host's own timeout covers both.</summary>
    private static void AddGracefulShutdown(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ShutdownOptions>(configuration.GetSection(ShutdownOptions.Section));
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) =>
            host.ShutdownTimeout = shutdown.Value.DrainDelay + shutdown.Value.Grace + TimeSpan.FromSeconds(5));
        services.AddSingleton<Draining>();
        services.AddHostedService(sp => sp.GetRequiredService<Draining>());
        services.AddHealthChecks().Add(new HealthCheckRegistration("draining", sp => sp.GetRequiredService<Draining>(), HealthStatus.Unhealthy, ["ready"]));
    }

    /// <summary>
    /// How instances share what they must agree on (docs/adr/0020): with <c>Redis:ConnectionString</c>, Redis carries
    /// the cluster bus, HybridCache's second level and cluster-wide rate limits; without it, the bus is PostgreSQL's
    /// NOTIFY (no one on SQLite), the cache stays in each process and limits count per instance.
    /// </summary>
    private static void AddCluster(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<ClusterMessages>();
        services.AddSingleton<ClusterCache>();
        services.AddSingleton<IClusterListener>(sp => sp.GetRequiredService<ClusterCache>());
        services.AddSingleton<ClusterLimits>();
        services.AddSingleton<LiveChanges>();
        services.AddSingleton<IClusterListener>(sp => sp.GetRequiredService<LiveChanges>());
        if (configuration["Redis:ConnectionString"] is { Length: > 0 } redis)
        {
            services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(RedisConfiguration(redis)));
            services.AddStackExchangeRedisCache(options => options.InstanceName = "modular:cache:");
            services.AddOptions<RedisCacheOptions>().Configure<IServiceProvider>((options, sp) =>
                options.ConnectionMultiplexerFactory = () => Task.FromResult(sp.GetRequiredService<IConnectionMultiplexer>()));
            services.AddSingleton<RedisClusterBus>();
            services.AddSingleton<IClusterBus>(sp => sp.GetRequiredService<RedisClusterBus>());
            services.AddHostedService(sp => sp.GetRequiredService<RedisClusterBus>());
            return;
        }

        services.AddSingleton<PostgresClusterBus>();
        services.AddHostedService(sp => sp.GetRequiredService<PostgresClusterBus>()); // listens on PostgreSQL only
        services.AddSingleton<IClusterBus>(sp => sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider == DatabaseProvider.Postgres
            ? sp.GetRequiredService<PostgresClusterBus>()
            : new LocalClusterBus());
    }

    /// <summary>Starts without Redis, reconnects by itself, and gives up on a call quickly: Redis is a helper, not the store.</summary>
    private static ConfigurationOptions RedisConfiguration(string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 2_000);
        options.AsyncTimeout = Math.Min(options.AsyncTimeout, 1_000);
        options.SyncTimeout = Math.Min(options.SyncTimeout, 1_000);
        options.BacklogPolicy = BacklogPolicy.FailFast; // while Redis is away, fall back at once (limits, cache) instead of waiting
        return options;
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
