using Modular.Kernel.Tenancy;

namespace Modular.Webhooks.Domain;

/// <summary>
/// A tenant's receiver: where messages go, which event types it wants, and the secret(s) that sign
/// them. Secrets are stored encrypted (see <see cref="Delivery.EndpointSecrets"/>); during a rotation's
/// grace period the previous secret signs beside the current one.
/// </summary>
public sealed class WebhookEndpoint : ITenantOwned
{
    public const int UrlMaxLength = 2000;
    public const int DescriptionMaxLength = 500;
    public const int ReasonMaxLength = 500;

    /// <summary>How long a rotated-out secret keeps signing beside the new one, unless the rotation says otherwise.</summary>
    public static readonly TimeSpan DefaultSecretGrace = TimeSpan.FromHours(24);

    private WebhookEndpoint()
    {
    }

    public Guid Id { get; private set; }

    public Guid TenantId { get; private set; }

    public string Url { get; private set; } = "";

    public string? Description { get; private set; }

    /// <summary>Subscribed event types; empty means all.</summary>
    public List<string> EventTypes { get; private set; } = [];

    public bool Enabled { get; private set; }

    public string? DisabledReason { get; private set; }

    public int? RateLimitPerSecond { get; private set; }

    public Dictionary<string, string> Headers { get; private set; } = [];

    public string ProtectedSecret { get; private set; } = "";

    public string? ProtectedPreviousSecret { get; private set; }

    public DateTimeOffset? PreviousSecretExpiresAt { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>When the current run of failures began; one success clears it.</summary>
    public DateTimeOffset? FailingSince { get; private set; }

    public int Version { get; private set; }

    public static WebhookEndpoint Create(
        Guid tenantId, string url, IEnumerable<string>? eventTypes, string? description, int? rateLimitPerSecond,
        IReadOnlyDictionary<string, string>? headers, string protectedSecret, DateTimeOffset now) => new()
        {
            Id = Guid.CreateVersion7(now),
            TenantId = tenantId,
            Url = url,
            EventTypes = eventTypes?.Distinct().ToList() ?? [],
            Description = description,
            RateLimitPerSecond = rateLimitPerSecond,
            Headers = headers is null ? [] : new Dictionary<string, string>(headers),
            ProtectedSecret = protectedSecret,
            Enabled = true,
            CreatedAt = now,
            Version = 1,
        };

    public bool Wants(string eventType) => EventTypes.Count == 0 || EventTypes.Contains(eventType);

    public void Change(string? url, IEnumerable<string>? eventTypes, string? description, int? rateLimitPerSecond, IReadOnlyDictionary<string, string>? headers)
    {
        Url = url ?? Url;
        EventTypes = eventTypes?.Distinct().ToList() ?? EventTypes;
        Description = description ?? Description;
        RateLimitPerSecond = rateLimitPerSecond ?? RateLimitPerSecond;
        Headers = headers is null ? Headers : new Dictionary<string, string>(headers);
        Version++;
    }

    public void RotateSecret(string protectedSecret, TimeSpan grace, DateTimeOffset now)
    {
        var keepOld = grace > TimeSpan.Zero;
        ProtectedPreviousSecret = keepOld ? ProtectedSecret : null;
        PreviousSecretExpiresAt = keepOld ? now + grace : null;
        ProtectedSecret = protectedSecret;
        Version++;
    }

    /// <summary>The previous secret, if its grace period has not run out.</summary>
    public string? PreviousSecretAt(DateTimeOffset now) =>
        ProtectedPreviousSecret is not null && PreviousSecretExpiresAt > now ? ProtectedPreviousSecret : null;

    public void Enable()
    {
        Enabled = true;
        DisabledReason = null;
        FailingSince = null;
        Version++;
    }

    public void Disable(string reason)
    {
        Enabled = false;
        DisabledReason = reason.Length > ReasonMaxLength ? reason[..ReasonMaxLength] : reason;
        Version++;
    }

    public void RecordSuccess() => FailingSince = null;

    /// <summary>Starts or continues the failure run; true when it has lasted <paramref name="limit"/>.</summary>
    public bool RecordFailure(DateTimeOffset now, TimeSpan limit)
    {
        FailingSince ??= now;
        return now - FailingSince >= limit;
    }
}
