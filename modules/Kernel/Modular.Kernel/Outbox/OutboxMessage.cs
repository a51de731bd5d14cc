using System.Text.Json;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Modular.Kernel.Persistence;

namespace Modular.Kernel.Outbox;

/// <summary>An integration event waiting in a module's outbox to be published after commit.</summary>
public sealed class OutboxMessage
{
    public const int MaxErrorLength = 2000;

    public Guid Id { get; private set; }

    /// <summary>The event's CLR type, "Namespace.Type, Assembly": how the dispatcher reads it back.</summary>
    public string Type { get; private set; } = "";

    public string Payload { get; private set; } = "";

    public DateTimeOffset OccurredAt { get; private set; }

    public int Attempts { get; private set; }

    public DateTimeOffset NextAttemptAt { get; private set; }

    public DateTimeOffset? ProcessedAt { get; private set; }

    public string? LastError { get; private set; }

    internal static OutboxMessage Create<TEvent>(TEvent integrationEvent, DateTimeOffset now)
        where TEvent : INotification
    {
        var type = integrationEvent.GetType();
        return new OutboxMessage
        {
            Id = Guid.CreateVersion7(now),
            Type = $"{type.FullName}, {type.Assembly.GetName().Name}",
            Payload = JsonSerializer.Serialize(integrationEvent, type, ModuleDbContext.EventJson),
            OccurredAt = now,
            NextAttemptAt = now,
        };
    }

    internal object Deserialize()
    {
        var type = System.Type.GetType(Type, throwOnError: true)!;
        return JsonSerializer.Deserialize(Payload, type, ModuleDbContext.EventJson)
            ?? throw new InvalidOperationException($"Outbox message {Id} has an empty payload.");
    }

    internal void MarkProcessed(DateTimeOffset now)
    {
        ProcessedAt = now;
        LastError = null;
    }

    internal void MarkFailed(string error, DateTimeOffset nextAttemptAt)
    {
        Attempts++;
        LastError = error.Length > MaxErrorLength ? error[..MaxErrorLength] : error;
        NextAttemptAt = nextAttemptAt;
    }

    internal static void Configure(EntityTypeBuilder<OutboxMessage> outbox)
    {
        // Names spelled out: the dispatcher's claim query on PostgreSQL is raw SQL over them.
        outbox.ToTable("outbox_messages");
        outbox.HasKey(m => m.Id);
        outbox.Property(m => m.Id).HasColumnName("id");
        outbox.Property(m => m.Type).HasColumnName("type").HasMaxLength(500);
        outbox.Property(m => m.Payload).HasColumnName("payload");
        outbox.Property(m => m.OccurredAt).HasColumnName("occurred_at");
        outbox.Property(m => m.Attempts).HasColumnName("attempts");
        outbox.Property(m => m.NextAttemptAt).HasColumnName("next_attempt_at");
        outbox.Property(m => m.ProcessedAt).HasColumnName("processed_at");
        outbox.Property(m => m.LastError).HasColumnName("last_error").HasMaxLength(MaxErrorLength);
        outbox.HasIndex(m => new { m.ProcessedAt, m.NextAttemptAt });
    }
}
