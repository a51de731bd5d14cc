#pragma warning disable EF1001 // MigrationsAssembly is "internal" API; it is the documented way to filter migrations.
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Internal;

namespace Modular.Kernel.Persistence;

/// <summary>
/// Each module ships two migration sets beside its context: <c>Migrations/Postgres</c> and
/// <c>Migrations/Sqlite</c>. EF would see both; this shows it only the active provider's
/// migrations and model snapshot (chosen by namespace suffix).
/// </summary>
internal sealed class ProviderMigrationsAssembly(
    ICurrentDbContext currentContext,
    IDbContextOptions options,
    IMigrationsIdGenerator idGenerator,
    IDiagnosticsLogger<DbLoggerCategory.Migrations> logger)
    : MigrationsAssembly(currentContext, options, idGenerator, logger)
{
    private readonly Type _contextType = currentContext.Context.GetType();
    private readonly string _suffix = "." + ProviderFolder(currentContext.Context);

    private IReadOnlyDictionary<string, TypeInfo>? _migrations;
    private ModelSnapshot? _snapshot;

    public override IReadOnlyDictionary<string, TypeInfo> Migrations =>
        _migrations ??= base.Migrations.Where(m => InProviderFolder(m.Value)).ToDictionary(m => m.Key, m => m.Value);

    public override ModelSnapshot? ModelSnapshot => _snapshot ??=
        Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(ModelSnapshot)) && !t.IsAbstract && InProviderFolder(t)
                && t.GetCustomAttribute<DbContextAttribute>()?.ContextType == _contextType)
            .Select(t => (ModelSnapshot)Activator.CreateInstance(t)!)
            .FirstOrDefault();

    /// <summary>The migrations folder (and namespace suffix) of the context's provider.</summary>
    public static string ProviderFolder(DbContext context) =>
        context.Database.IsNpgsql() ? nameof(DatabaseProvider.Postgres) : nameof(DatabaseProvider.Sqlite);

    private bool InProviderFolder(Type type) => type.Namespace?.EndsWith(_suffix, StringComparison.Ordinal) == true;
}
