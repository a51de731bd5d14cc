namespace Modular.Webhooks.Delivery;

/// <summary>
/// Svix's schedule: the first attempt at once, then retries after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h
/// and 10 h, each with ±20 % jitter so failing deliveries do not retry in lock-step.
/// </summary>
internal static class RetrySchedule
{
    public static readonly IReadOnlyList<TimeSpan> Delays =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    /// <summary>After a timeout or a 429 the receiver is struggling: wait at least this long.</summary>
    public static readonly TimeSpan MinimumAfterOverload = TimeSpan.FromSeconds(60);

    /// <summary>All attempts, the first included.</summary>
    public static int MaxAttempts => Delays.Count + 1;

    /// <summary>
    /// The delay before the next attempt after <paramref name="attemptsSoFar"/> failed ones, or null
    /// when none is left. <paramref name="retryAfter"/> (the receiver's <c>Retry-After</c>) is honoured
    /// within 1×–2× of the scheduled delay.
    /// </summary>
    public static TimeSpan? NextDelay(int attemptsSoFar, bool overloaded, TimeSpan? retryAfter, double jitter)
    {
        if (attemptsSoFar < 1 || attemptsSoFar > Delays.Count)
        {
            return null;
        }

        var delay = Delays[attemptsSoFar - 1] * jitter;
        if (overloaded && delay < MinimumAfterOverload)
        {
            delay = MinimumAfterOverload;
        }

        if (retryAfter is { } asked && asked > delay)
        {
            delay = asked < delay * 2 ? asked : delay * 2;
        }

        return delay;
    }

    /// <summary>A factor in [0.8, 1.2].</summary>
    public static double RandomJitter() => 0.8 + (Random.Shared.NextDouble() * 0.4);
}
