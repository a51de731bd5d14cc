namespace Modular.Kernel;

/// <summary>
/// The platform's clock: system time cut to whole microseconds, the precision PostgreSQL keeps, so a
/// timestamp reads back from the database exactly as it was written and returned.
/// </summary>
public sealed class DatabaseClock : TimeProvider
{
    public static readonly DatabaseClock Instance = new();

    private DatabaseClock()
    {
    }

    public override DateTimeOffset GetUtcNow()
    {
        var now = System.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
    }
}
