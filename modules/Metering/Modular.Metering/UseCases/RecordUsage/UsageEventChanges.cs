namespace Modular.Metering.UseCases.RecordUsage;

/// <summary>
/// The subject announced through the kernel's <c>LiveChanges</c> when usage events are recorded: the console's usage
/// event list and dashboard card reload on it, on every instance (at most twice a second, however busy ingestion is).
/// </summary>
internal static class UsageEventChanges
{
    public const string Subject = "metering.usage-events";
}
