using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Modular.Kernel.Auditing;
using Modular.Kernel.Outbox;
using Modular.Kernel.Tenancy;

namespace Modular.Kernel.Persistence;

/// <summary>
/// Base of every module's <c>DbContext</c>: puts the module's tables in its own schema (its own file
/// on SQLite), gives it an outbox, so an integration event is stored in the same transaction as the
/// change that caused it, and keeps every <see cref="ITenantOwned"/> row inside its tenant: reads are
/// filtered by the <see cref="ITenantContext"/>, and writes outside it throw.
/// </summary>
public abstract class ModuleDbContext : DbContext
{
    private const string TenantFilter = "tenant";

    protected ModuleDbContext(DbContextOptions options, ITenantContext tenantContext)
        : base(options)
    {
        TenantContext = tenantContext;

        // PostgreSQL's tenant setting is transaction-local (TenantSettingInterceptor): a save of one statement needs its
        // transaction too, or row-level security would refuse it.
        Database.AutoTransactionBehavior = AutoTransactionBehavior.Always;
    }

    /// <summary>Whose rows this context sees; also what PostgreSQL's row-level security is told per transaction.</summary>
    public ITenantContext TenantContext { get; }

    /// <summary>The transaction PostgreSQL was last told the tenant in, and the value told; kept by the interceptor.</summary>
    internal (System.Data.Common.DbTransaction Transaction, string Value)? TenantSettingTold { get; set; }

    // Read by the query filters on every query (EF re-evaluates context members per query).
    private Guid? ScopedTenantId => TenantContext.Tenant?.Id;

    private bool ScopedToAllTenants => TenantContext.IsAllTenants;

    /// <summary>The module's schema, e.g. "tenants". Lower-case, and stable forever.</summary>
    public abstract string Schema { get; }

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    internal bool HasPendingIntegrationEvents =>
        ChangeTracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added);

    /// <summary>What runs once this context's changes are committed; kept by <see cref="Persistence.AfterCommit"/>.</summary>
    internal List<Func<CancellationToken, Task>> PendingAfterCommit { get; } = [];

    /// <summary>A save has run inside a transaction: <see cref="PendingAfterCommit"/> waits for its commit.</summary>
    internal bool AwaitingCommit { get; set; }

    /// <summary>
    /// The one way module code saves: the unit of work calls it when a command's handler returns, and a handler
    /// that must commit before it goes on (to learn of a conflict, or before an outside effect) calls it itself.
    /// Integration events saved with it wake the outbox as soon as they are committed.
    /// </summary>
    public Task<int> CommitAsync(CancellationToken cancellationToken) => SaveChangesAsync(cancellationToken);

    /// <summary>
    /// Runs <paramref name="effect"/> once this context's next save has committed: at once after a save that ran in no
    /// transaction of the caller's, else when that transaction commits; never if it rolls back. For what must not happen
    /// before others can see the change (telling other instances to drop a cached copy of it).
    /// </summary>
    public void AfterCommit(Func<CancellationToken, Task> effect) => PendingAfterCommit.Add(effect);

    /// <summary>Records an integration event; it is published after this context's changes commit.</summary>
    public void Publish<TEvent>(TEvent integrationEvent, DateTimeOffset now)
        where TEvent : INotification
        => OutboxMessages.Add(OutboxMessage.Create(integrationEvent, now));

    /// <summary>
    /// Appends to <paramref name="tenantId"/>'s audit trail, in the same transaction as the change;
    /// <paramref name="data"/> (old/new values, a reason) is stored as JSON.
    /// </summary>
    public void Audit(Guid tenantId, ICaller caller, string action, string target, object? data, DateTimeOffset now) =>
        AuditEntries.Add(AuditEntry.Create(tenantId, caller, action, target, JsonSerializer.Serialize(data ?? new { }, EventJson), now));

    /// <summary>
    /// Erases <paramref name="tenantId"/>'s whole audit trail in this module, for a purged tenant only (a handler of its
    /// purge): on PostgreSQL the application's role cannot otherwise delete an audit entry, and each erasure is recorded
    /// out of its reach (<see cref="AuditErasure"/>). Erases nothing outside this context's tenant scope.
    /// </summary>
    public async Task<long> EraseAuditTrailAsync(Guid tenantId, CancellationToken cancellationToken) => Database.IsNpgsql()
        ? (await Database.SqlQueryRaw<long>(AuditErasure.CallSql(this), tenantId).ToListAsync(cancellationToken)).Single()
        : await AuditEntries.Where(e => e.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken);

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // SQLite has no schemas; there the module's file is its boundary (see DatabaseOptions).
        if (!Database.IsSqlite())
        {
            modelBuilder.HasDefaultSchema(Schema);
        }

        modelBuilder.Entity<OutboxMessage>(OutboxMessage.Configure);
        modelBuilder.Entity<AuditEntry>(AuditEntry.Configure);
        ConfigureModel(modelBuilder);
        RequireTenantOwnership(modelBuilder.Model);

        foreach (var entity in modelBuilder.Model.GetEntityTypes().Where(e => typeof(ITenantOwned).IsAssignableFrom(e.ClrType)))
        {
            modelBuilder.Entity(entity.ClrType).HasQueryFilter(TenantFilter, TenantFilterFor(entity.ClrType));

            // Every query of a tenant's rows filters by tenant, so an index must lead with it; one the module
            // already has (its key or another index) serves, and a second would only slow every write.
            var leadsWithTenant = entity.GetKeys().Select(k => k.Properties).Concat(entity.GetIndexes().Select(i => i.Properties))
                .Any(columns => columns[0].Name == nameof(ITenantOwned.TenantId));
            if (!leadsWithTenant)
            {
                modelBuilder.Entity(entity.ClrType).HasIndex(nameof(ITenantOwned.TenantId));
            }
        }
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        GuardTenantRows();
        var newAuditEntries = ChangeTracker.Entries<AuditEntry>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
        if (newAuditEntries.Count == 0)
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }

        // Chaining reads each tenant's last entry, so it must hold the tenant's chain until commit. A replay
        // (a transient failure) chains again from the then-last entry; changes are accepted once committed.
        var saved = await Database.InTransactionAsync(async token =>
        {
            await ChainAsync(newAuditEntries, token);
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess: false, token);
        }, cancellationToken);
        if (acceptAllChangesOnSuccess)
        {
            ChangeTracker.AcceptAllChanges();
        }

        return saved;
    }

    /// <summary>
    /// Every entity the module declares belongs to a tenant unless it says why it is the platform's
    /// (<see cref="PlatformWideAttribute"/>); the kernel's and the libraries' own entities are theirs to judge.
    /// </summary>
    private void RequireTenantOwnership(IMutableModel model)
    {
        // A type stored as JSON inside its owner's row belongs to the owner's tenant.
        var unclaimed = model.GetEntityTypes()
            .Where(e => !(e.IsOwned() && e.IsMappedToJson()))
            .Select(e => e.ClrType)
            .Where(type => type.Assembly == GetType().Assembly
                && !typeof(ITenantOwned).IsAssignableFrom(type)
                && type.GetCustomAttribute<PlatformWideAttribute>() is null)
            .Select(type => type.Name)
            .ToList();
        if (unclaimed.Count > 0)
        {
            throw new InvalidOperationException(
                $"{GetType().Name}: {string.Join(", ", unclaimed)} belong to no tenant. Implement ITenantOwned, or mark the entity " +
                "[PlatformWide(\"why every tenant shares it\")].");
        }
    }

    /// <summary>
    /// Synchronous saves (some framework stores use them, e.g. the data-protection key ring) get the
    /// tenant guard too; audit entries need the asynchronous path, which chains them.
    /// </summary>
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        GuardTenantRows();
        if (ChangeTracker.Entries<AuditEntry>().Any(e => e.State == EntityState.Added))
        {
            throw new NotSupportedException("Audit entries are saved with SaveChangesAsync, which chains them.");
        }

        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    /// <summary>
    /// Links new audit entries to the end of their tenant's chain. On PostgreSQL a transaction-scoped
    /// advisory lock per (schema, tenant) serialises writers of one chain; SQLite's write transaction
    /// is already exclusive.
    /// </summary>
    private async Task ChainAsync(List<AuditEntry> newEntries, CancellationToken cancellationToken)
    {
        foreach (var tenantEntries in newEntries.GroupBy(e => e.TenantId))
        {
            var tenantId = tenantEntries.Key;
            if (Database.IsNpgsql())
            {
                var chainKey = $"{Schema}.audit:{tenantId}";
                await Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({chainKey}, 0))", cancellationToken);
            }

            var last = await AuditEntries.AsNoTracking()
                .Where(e => e.TenantId == tenantId)
                .OrderByDescending(e => e.Sequence)
                .Select(e => new { e.Sequence, e.Hash })
                .FirstOrDefaultAsync(cancellationToken);
            var (sequence, hash) = (last?.Sequence ?? 0, last?.Hash ?? "");
            foreach (var entry in tenantEntries)
            {
                entry.Chain(sequence, hash);
                (sequence, hash) = (entry.Sequence, entry.Hash);
            }
        }
    }

    /// <summary>New tenant rows take the scope's tenant; a row of another tenant, or with none, is refused.</summary>
    private void GuardTenantRows()
    {
        foreach (var entry in ChangeTracker.Entries<ITenantOwned>())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted))
            {
                continue;
            }

            var tenantId = entry.Property(nameof(ITenantOwned.TenantId));
            if (entry.State == EntityState.Added && (Guid)tenantId.CurrentValue! == Guid.Empty && ScopedTenantId is { } scoped)
            {
                tenantId.CurrentValue = scoped;
            }

            var owner = (Guid)tenantId.CurrentValue!;
            if (owner == Guid.Empty)
            {
                throw new TenantScopeViolationException($"A {entry.Metadata.DisplayName()} must belong to a tenant: write it inside a tenant scope.");
            }

            if (!ScopedToAllTenants && owner != ScopedTenantId)
            {
                throw new TenantScopeViolationException($"A {entry.Metadata.DisplayName()} of tenant {owner} was written outside that tenant's scope.");
            }
        }
    }

    private static System.Reflection.PropertyInfo ContextProperty(string name) =>
        typeof(ModuleDbContext).GetProperty(name, System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!;

    /// <summary><c>row => ScopedToAllTenants || row.TenantId == ScopedTenantId</c>, over this context's members.</summary>
    private LambdaExpression TenantFilterFor(Type entityType)
    {
        var row = Expression.Parameter(entityType, "row");
        var context = Expression.Constant(this, typeof(ModuleDbContext));
        var rowTenant = Expression.Convert(Expression.Property(row, nameof(ITenantOwned.TenantId)), typeof(Guid?));
        var body = Expression.OrElse(
            Expression.Property(context, ContextProperty(nameof(ScopedToAllTenants))),
            Expression.Equal(rowTenant, Expression.Property(context, ContextProperty(nameof(ScopedTenantId)))));
        return Expression.Lambda(body, row);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot compare or order DateTimeOffset; stored as UTC ticks it can, in order, exactly.
        if (Database.IsSqlite())
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
            configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
        }
        else
        {
            // Npgsql writes timestamptz from UTC values only; a caller's "…+05:30" is the same instant in UTC.
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcConverter>();
            configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcConverter>();
        }
    }

    /// <summary>The module's own entity configuration.</summary>
    protected abstract void ConfigureModel(ModelBuilder modelBuilder);

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        value => value.UtcTicks,
        ticks => new DateTimeOffset(ticks, TimeSpan.Zero));

    private sealed class UtcConverter() : ValueConverter<DateTimeOffset, DateTimeOffset>(
        value => value.ToUniversalTime(),
        value => value);

    internal static readonly JsonSerializerOptions EventJson = new(JsonSerializerDefaults.Web);
}
