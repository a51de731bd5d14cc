using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Modular.Kernel.Errors;
using Modular.Kernel.Outbox;
using Modular.Kernel.Persistence;

namespace Modular.Kernel;

public static class KernelServices
{
    /// <summary>What every module relies on: database and outbox settings, the clock, problem details.</summary>
    public static IServiceCollection AddModularKernel(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<DatabaseOptions>(configuration.GetSection(DatabaseOptions.Section));
        services.Configure<OutboxOptions>(configuration.GetSection(OutboxOptions.Section));
        services.TryAddSingleton<TimeProvider>(DatabaseClock.Instance);
        services.TryAddSingleton<OutboxSignal>();
        services.AddModularProblemDetails();
        return services;
    }
}
