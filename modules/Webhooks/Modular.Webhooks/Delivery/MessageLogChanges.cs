namespace Modular.Webhooks.Delivery;

/// <summary>
/// The subject announced through the kernel's <c>LiveChanges</c> when the webhook message log changes (a message stored,
/// a delivery attempted or queued again): the console's log and dashboard card reload on it, on every instance.
/// </summary>
internal static class MessageLogChanges
{
    public const string Subject = "webhooks.message-log";
}
