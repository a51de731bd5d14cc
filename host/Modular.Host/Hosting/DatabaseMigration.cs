using Microsoft.Extensions.Options;
using Modular.Kernel.Persistence;

namespace Modular.Host.Hosting;

internal enum MigrationOutcome
{
    ContinueStarting,
    ExitAfterMigrating,
}

internal static class DatabaseMigration
{
    /// <summary>
    /// <c>--migrate</c> applies every module's migrations and exits (how production deploys);
    /// <c>Database:MigrateOnStartup</c> (on in Development) applies them before serving. Both connect with
    /// <c>Database:MigrationConnectionString</c> when it is set (the schema owner's), not the serving role's.
    /// </summary>
    public static async Task<MigrationOutcome> MigrateDatabasesAsync(this WebApplication app, string[] args)
    {
        if (args.Contains("--migrate", StringComparer.Ordinal))
        {
            await app.Services.MigrateModuleDatabasesAsync();
            return MigrationOutcome.ExitAfterMigrating;
        }

        if (app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.MigrateOnStartup)
        {
            await app.Services.MigrateModuleDatabasesAsync();
        }

        return MigrationOutcome.ContinueStarting;
    }
}
