namespace Modular.Webhooks.Contracts;

/// <summary>
/// One entry of the webhook event catalog. A module makes its events deliverable by registering one
/// per event type as a singleton (<c>services.AddSingleton(new WebhookEventType(...))</c>); messages
/// and endpoint filters naming a type outside the catalog are refused.
/// </summary>
/// <param name="Name">Dotted, lower-case, e.g. <c>invoice.closed</c>.</param>
/// <param name="Description">What happened, for the people subscribing.</param>
/// <param name="ExampleJson">An example of the message's <c>data</c> object, as JSON.</param>
public sealed record WebhookEventType(string Name, string Description, string ExampleJson);

/// <summary>The event types the webhooks module itself knows of.</summary>
public static class WebhookEventTypes
{
    /// <summary>Sent by the "send test event" action.</summary>
    public const string Test = "webhook.test";

    public const string TenantCreated = "tenant.created";
    public const string TenantRenamed = "tenant.renamed";
    public const string TenantPlanChanged = "tenant.plan_changed";
    public const string TenantSuspended = "tenant.suspended";
    public const string TenantReactivated = "tenant.reactivated";
    public const string TenantDeletionScheduled = "tenant.deletion_scheduled";

    /// <summary>The name of the <see cref="WebhookMessageFailed"/> notice.</summary>
    public const string EndpointMessageFailed = "endpoint.message_failed";
}
