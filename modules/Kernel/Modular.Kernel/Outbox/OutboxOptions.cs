namespace Modular.Kernel.Outbox;

/// <summary>The <c>Outbox</c> configuration section.</summary>
public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    /// <summary>Run the background workers (off in tests that drive the dispatcher themselves).</summary>
    public bool Enabled { get; set; } = true;

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public int BatchSize { get; set; } = 50;

    /// <summary>After this many failed attempts a message stays in the table, with its last error, for an operator.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>Delay before the first retry; doubles per attempt up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Exponential backoff with ±20% jitter so failing messages do not retry in lock-step.</summary>
    public TimeSpan RetryDelay(int attemptsSoFar)
    {
        var exponential = FirstRetryDelay.TotalSeconds * Math.Pow(2, Math.Min(attemptsSoFar, 20));
        var capped = Math.Min(exponential, MaxRetryDelay.TotalSeconds);
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
        return TimeSpan.FromSeconds(capped * jitter);
    }
}
