using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using Modular.Metering.Contracts;
using Modular.Metering.Domain;

namespace Modular.Metering.Persistence;

public sealed class MeteringDbContext(DbContextOptions<MeteringDbContext> options, ITenantContext tenantContext)
    : ModuleDbContext(options, tenantContext)
{
    public const string SchemaName = "metering";

    public override string Schema => SchemaName;

    internal DbSet<StoredUsageEvent> UsageEvents => Set<StoredUsageEvent>();

    internal DbSet<Meter> Meters => Set<Meter>();

    internal DbSet<MeterRollup> Rollups => Set<MeterRollup>();

    internal DbSet<MeterDistinctValue> DistinctValues => Set<MeterDistinctValue>();

    internal DbSet<Plan> Plans => Set<Plan>();

    internal DbSet<Statement> Statements => Set<Statement>();

    internal DbSet<BillingProfile> BillingProfiles => Set<BillingProfile>();

    /// <summary>The tenant in scope's chosen billing time zone, or null for the platform's default.</summary>
    internal Task<string?> BillingTimeZoneAsync(CancellationToken cancellationToken) =>
        BillingProfiles.AsNoTracking().Select(p => p.TimeZone).FirstOrDefaultAsync(cancellationToken);

    /// <summary>The meter with this key; <see cref="Kernel.Errors.NotFoundException"/> otherwise.</summary>
    internal async Task<Meter> GetMeterAsync(string key, CancellationToken cancellationToken) =>
        await Meters.FirstOrDefaultAsync(m => m.Key == key, cancellationToken)
        ?? throw new Kernel.Errors.NotFoundException("Meter", key);

    /// <summary>The plan with this key; <see cref="Kernel.Errors.NotFoundException"/> otherwise.</summary>
    internal async Task<Plan> GetPlanAsync(string key, CancellationToken cancellationToken) =>
        await Plans.FirstOrDefaultAsync(p => p.Key == key, cancellationToken)
        ?? throw new Kernel.Errors.NotFoundException("Plan", key);

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<StoredUsageEvent>(e =>
        {
            e.ToTable("usage_events");
            e.HasKey(x => x.Id);
            e.Property(x => x.Source).HasMaxLength(StoredUsageEvent.SourceMaxLength);
            e.Property(x => x.EventId).HasMaxLength(StoredUsageEvent.EventIdMaxLength);
            e.Property(x => x.Type).HasMaxLength(StoredUsageEvent.TypeMaxLength);
            e.Property(x => x.Subject).HasMaxLength(StoredUsageEvent.SubjectMaxLength);
            e.Property(x => x.Status).HasMaxLength(StoredUsageEvent.StatusMaxLength);
            e.Property(x => x.ValidationError).HasMaxLength(StoredUsageEvent.ValidationErrorMaxLength);

            // The idempotency key: ingestion inserts with ON CONFLICT DO NOTHING against it.
            e.HasIndex(x => new { x.TenantId, x.Source, x.EventId }).IsUnique().HasDatabaseName("ux_usage_events_idempotency");
            e.HasIndex(x => new { x.TenantId, x.ReceivedAt });
        });

        modelBuilder.Entity<Meter>(m =>
        {
            m.HasKey(x => x.Id);
            m.Property(x => x.Key).HasMaxLength(Meter.KeyMaxLength);
            m.HasIndex(x => x.Key).IsUnique();
            m.Property(x => x.Name).HasMaxLength(Meter.NameMaxLength);
            m.Property(x => x.Description).HasMaxLength(Meter.DescriptionMaxLength);
            m.Property(x => x.EventType).HasMaxLength(StoredUsageEvent.TypeMaxLength);
            m.HasIndex(x => x.EventType);
            m.Property(x => x.Aggregation).HasMaxLength(16);
            m.Property(x => x.ValuePath).HasMaxLength(Meter.PathMaxLength);
            m.Property(x => x.GroupBy).HasConversion(
                value => JsonSerializer.Serialize(value, (JsonSerializerOptions?)null),
                json => JsonSerializer.Deserialize<Dictionary<string, string>>(json, (JsonSerializerOptions?)null) ?? new Dictionary<string, string>(),
                new ValueComparer<Dictionary<string, string>>(
                    (a, b) => a!.Count == b!.Count && !a.Except(b).Any(),
                    d => d.Aggregate(0, (hash, pair) => HashCode.Combine(hash, pair.Key, pair.Value)),
                    d => new Dictionary<string, string>(d)));
        });

        modelBuilder.Entity<Plan>(p =>
        {
            p.ToTable("plans");
            p.HasKey(x => x.Id);
            p.Property(x => x.Key).HasMaxLength(Plan.KeyMaxLength);
            p.HasIndex(x => x.Key).IsUnique();
            p.Property(x => x.Name).HasMaxLength(Plan.NameMaxLength);
            p.Property(x => x.Currency).HasMaxLength(3);
            p.Property(x => x.Charges).HasConversion(JsonListConverter<ChargeDto>(), JsonListComparer<ChargeDto>());
            p.Property(x => x.Quotas).HasConversion(JsonListConverter<QuotaDto>(), JsonListComparer<QuotaDto>());
        });

        modelBuilder.Entity<Statement>(s =>
        {
            s.ToTable("statements");
            s.HasKey(x => x.Id);

            // A period is closed once: a second close finds this row instead of adding one.
            s.HasIndex(x => new { x.TenantId, x.PeriodStart }).IsUnique().HasDatabaseName("ux_statements_period");
            s.Property(x => x.TimeZone).HasMaxLength(BillingProfile.TimeZoneMaxLength);
            s.Property(x => x.Plan).HasMaxLength(Plan.KeyMaxLength);
            s.Property(x => x.Currency).HasMaxLength(3);
            s.Property(x => x.Lines).HasConversion(JsonListConverter<StatementLineDto>(), JsonListComparer<StatementLineDto>());
        });

        modelBuilder.Entity<BillingProfile>(b =>
        {
            b.ToTable("billing_profiles");
            b.HasKey(x => x.TenantId);
            b.Property(x => x.TimeZone).HasMaxLength(BillingProfile.TimeZoneMaxLength);
        });

        modelBuilder.Entity<MeterRollup>(r =>
        {
            r.ToTable("meter_rollups");
            r.HasKey(x => new { x.TenantId, x.MeterId, x.PeriodMinutes, x.Start, x.Subject, x.Dimensions });
            r.Property(x => x.Subject).HasMaxLength(StoredUsageEvent.SubjectMaxLength);
            r.HasIndex(x => x.MeterId);
        });

        modelBuilder.Entity<MeterDistinctValue>(d =>
        {
            d.ToTable("meter_distinct_values");
            d.HasKey(x => new { x.TenantId, x.MeterId, x.Minute, x.Subject, x.Dimensions, x.Value });
            d.Property(x => x.Subject).HasMaxLength(StoredUsageEvent.SubjectMaxLength);
            d.Property(x => x.Value).HasMaxLength(MeterDistinctValue.ValueMaxLength);
            d.HasIndex(x => x.MeterId);
        });
    }

    /// <summary>A list stored as one JSON column (decimals keep their exact digits in JSON).</summary>
    private static ValueConverter<List<T>, string> JsonListConverter<T>() => new(
        value => JsonSerializer.Serialize(value, ColumnJson),
        json => JsonSerializer.Deserialize<List<T>>(json, ColumnJson) ?? new List<T>());

    /// <summary>Compares by JSON, so replacing a list with an equal one is no change and any edit is one.</summary>
    private static ValueComparer<List<T>> JsonListComparer<T>() => new(
        (a, b) => JsonSerializer.Serialize(a, ColumnJson) == JsonSerializer.Serialize(b, ColumnJson),
        list => JsonSerializer.Serialize(list, ColumnJson).GetHashCode(StringComparison.Ordinal),
        list => JsonSerializer.Deserialize<List<T>>(JsonSerializer.Serialize(list, ColumnJson), ColumnJson)!);

    private static readonly JsonSerializerOptions ColumnJson = new(JsonSerializerDefaults.Web);
}

/// <summary>For <c>dotnet ef migrations add</c>; see eng/add-migration.sh.</summary>
internal sealed class MeteringDesignTimeFactory() : ModuleDesignTimeFactory<MeteringDbContext>(MeteringDbContext.SchemaName)
{
    protected override MeteringDbContext Create(DbContextOptions<MeteringDbContext> options) => new(options, new TenantScope());
}
