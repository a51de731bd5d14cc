using Modular.Kernel.Tenancy;

namespace Modular.Metering.Domain;

/// <summary>
/// A usage event as received, kept whatever became of it (counted, matched no meter, or invalid for a
/// meter) so the event debugger can show it. (tenant, source, event id) is unique: the idempotency key.
/// </summary>
internal sealed class StoredUsageEvent : ITenantOwned
{
    public const int SourceMaxLength = 256;
    public const int EventIdMaxLength = 128;
    public const int TypeMaxLength = 128;
    public const int SubjectMaxLength = 256;
    public const int StatusMaxLength = 16;
    public const int ValidationErrorMaxLength = 512;

    public Guid Id { get; init; }

    public Guid TenantId { get; init; }

    public string Source { get; init; } = "";

    public string EventId { get; init; } = "";

    public string Type { get; init; } = "";

    /// <summary>Empty when the event named none.</summary>
    public string Subject { get; init; } = "";

    public DateTimeOffset Time { get; init; }

    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The event's <c>data</c> as JSON text, or null.</summary>
    public string? Data { get; init; }

    public string Status { get; init; } = "";

    public string? ValidationError { get; init; }
}
