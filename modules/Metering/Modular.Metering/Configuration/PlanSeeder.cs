using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Modular.Metering.Domain;
using Modular.Metering.Persistence;

namespace Modular.Metering.Configuration;

/// <summary>
/// At start-up, adds each plan of <c>Metering:Plans</c> that the database does not have yet. A plan
/// already there is left alone, so an operator's edit survives restarts; configuration only seeds.
/// Idempotent, so every instance may run it; two racing instances leave one plan (the key is unique).
/// </summary>
internal sealed partial class PlanSeeder(IServiceScopeFactory scopes, IOptions<MeteringOptions> options, TimeProvider clock, ILogger<PlanSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (key, seed) in options.Value.Plans)
        {
            try
            {
                await SeedAsync(key, seed, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Typically: the database is not migrated yet, or another instance seeded the same plan first.
                LogFailed(logger, key, e);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task SeedAsync(string key, PlanOptions seed, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MeteringDbContext>();
        if (await db.Plans.AnyAsync(p => p.Key == key, cancellationToken))
        {
            return;
        }

        // Its shape was checked when the options were bound; its meters may be defined after start-up.
        db.Plans.Add(Plan.Create(seed.ToCreatePlan(key), clock.GetUtcNow()));
        await db.CommitAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Seeding plan {Plan} from configuration failed; it is tried again at the next start")]
    private static partial void LogFailed(ILogger logger, string plan, Exception exception);
}
