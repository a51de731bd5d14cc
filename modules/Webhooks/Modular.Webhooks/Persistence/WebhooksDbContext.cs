using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using Modular.Webhooks.Domain;

namespace Modular.Webhooks.Persistence;

public sealed class WebhooksDbContext(DbContextOptions<WebhooksDbContext> options, ITenantContext tenantContext)
    : ModuleDbContext(options, tenantContext)
{
    public const string SchemaName = "webhooks";

    public override string Schema => SchemaName;

    public DbSet<WebhookEndpoint> Endpoints => Set<WebhookEndpoint>();

    public DbSet<WebhookMessage> Messages => Set<WebhookMessage>();

    public DbSet<WebhookDelivery> Deliveries => Set<WebhookDelivery>();

    public DbSet<WebhookAttempt> Attempts => Set<WebhookAttempt>();

    /// <summary>The endpoint with this id in the caller's scope; <see cref="Kernel.Errors.NotFoundException"/> otherwise.</summary>
    public async Task<WebhookEndpoint> GetEndpointAsync(Guid id, CancellationToken cancellationToken) =>
        await Endpoints.FirstOrDefaultAsync(e => e.Id == id, cancellationToken)
        ?? throw new Kernel.Errors.NotFoundException("Webhook endpoint", id);

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<WebhookEndpoint>(endpoint =>
        {
            endpoint.ToTable("endpoints");
            endpoint.HasKey(e => e.Id);
            endpoint.Property(e => e.Url).HasMaxLength(WebhookEndpoint.UrlMaxLength);
            endpoint.Property(e => e.Description).HasMaxLength(WebhookEndpoint.DescriptionMaxLength);
            endpoint.Property(e => e.DisabledReason).HasMaxLength(WebhookEndpoint.ReasonMaxLength);
            endpoint.Property(e => e.Version).IsConcurrencyToken();
            Json(endpoint.Property(e => e.EventTypes), new ValueComparer<List<string>>(
                (a, b) => a!.SequenceEqual(b!), l => l.Aggregate(0, HashCode.Combine), l => l.ToList()));
            Json(endpoint.Property(e => e.Headers), new ValueComparer<Dictionary<string, string>>(
                (a, b) => a!.Count == b!.Count && !a.Except(b).Any(),
                d => d.Aggregate(0, (hash, pair) => HashCode.Combine(hash, pair.Key, pair.Value)),
                d => new Dictionary<string, string>(d)));
        });

        modelBuilder.Entity<WebhookMessage>(message =>
        {
            message.ToTable("messages");
            message.HasKey(m => m.Id);
            message.Ignore(m => m.WebhookId);
            message.Property(m => m.EventType).HasMaxLength(WebhookMessage.EventTypeMaxLength);
            message.Property(m => m.EventId).HasMaxLength(WebhookMessage.EventIdMaxLength);
            message.HasIndex(m => new { m.TenantId, m.EventId }).IsUnique(); // the idempotency key
            message.HasIndex(m => m.CreatedAt);
        });

        // Names spelled out: the dispatcher's claim query on PostgreSQL is raw SQL over them.
        modelBuilder.Entity<WebhookDelivery>(delivery =>
        {
            delivery.ToTable("deliveries");
            delivery.HasKey(d => d.Id);
            delivery.Property(d => d.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(16);
            delivery.Property(d => d.NextAttemptAt).HasColumnName("next_attempt_at");
            delivery.Property(d => d.NextTrigger).HasConversion<string>().HasMaxLength(16);
            delivery.HasIndex(d => new { d.Status, d.NextAttemptAt });
            delivery.HasIndex(d => new { d.EndpointId, d.Status, d.CreatedAt });
            delivery.HasIndex(d => new { d.MessageId, d.EndpointId }).IsUnique();
            delivery.HasOne<WebhookMessage>().WithMany().HasForeignKey(d => d.MessageId).OnDelete(DeleteBehavior.Cascade);
            delivery.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(d => d.EndpointId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<WebhookAttempt>(attempt =>
        {
            attempt.ToTable("attempts");
            attempt.HasKey(a => a.Id);
            attempt.Ignore(a => a.Succeeded);
            attempt.Property(a => a.Trigger).HasConversion<string>().HasMaxLength(16);
            attempt.Property(a => a.Error).HasMaxLength(WebhookAttempt.ErrorMaxLength);
            attempt.Property(a => a.ResponseBody).HasMaxLength(WebhookAttempt.ResponseBodyMaxLength);
            attempt.HasIndex(a => new { a.EndpointId, a.AttemptedAt });
            attempt.HasIndex(a => a.MessageId);
            attempt.HasOne<WebhookDelivery>().WithMany().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        });
    }

    private static void Json<T>(PropertyBuilder<T> property, ValueComparer<T> comparer)
        where T : new() =>
        property.HasConversion(
            value => JsonSerializer.Serialize(value, (JsonSerializerOptions?)null),
            json => JsonSerializer.Deserialize<T>(json, (JsonSerializerOptions?)null) ?? new T(),
            comparer);
}

/// <summary>For <c>dotnet ef migrations add</c>; see eng/add-migration.sh.</summary>
internal sealed class WebhooksDesignTimeFactory() : ModuleDesignTimeFactory<WebhooksDbContext>(WebhooksDbContext.SchemaName)
{
    protected override WebhooksDbContext Create(DbContextOptions<WebhooksDbContext> options) => new(options, new TenantScope());
}
