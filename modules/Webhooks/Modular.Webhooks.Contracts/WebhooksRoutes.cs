namespace Modular.Webhooks.Contracts;

/// <summary>
/// The module's paths, written once: its endpoints map their groups from these, and tests, console pages and
/// <c>Location</c> headers build their links with them.
/// </summary>
public static class WebhooksRoutes
{
    /// <summary>A tenant's own endpoints and messages, as resolved from the caller's token (or X-Tenant).</summary>
    public const string Webhooks = "/api/v1/webhooks";

    /// <summary>Platform operators' API: across tenants.</summary>
    public const string Platform = Webhooks + "/platform";

    /// <summary>The console's endpoint list.</summary>
    public const string ConsoleWebhooks = "/admin/webhooks";

    /// <summary>The organization area's page of the tenant's own endpoints.</summary>
    public const string OrganizationWebhooks = "/org/webhooks";

    /// <summary>The organization area's message log of the tenant.</summary>
    public const string OrganizationMessages = OrganizationWebhooks + "/messages";

    /// <summary>The tenant's events, live, as Server-Sent Events.</summary>
    public const string TenantEventStream = "/api/v1/tenant/events/stream";

    public const string Endpoints = Webhooks + "/endpoints";

    public const string Messages = Webhooks + "/messages";

    public const string EventTypes = Webhooks + "/event-types";

    public const string PlatformEndpoints = Platform + "/endpoints";

    /// <summary>The console's message log.</summary>
    public const string ConsoleMessages = ConsoleWebhooks + "/messages";

    public static string Endpoint(Guid id) => $"{Endpoints}/{id}";

    public static string RotateSecret(Guid endpointId) => $"{Endpoint(endpointId)}/rotate-secret";

    public static string Enable(Guid endpointId) => $"{Endpoint(endpointId)}/enable";

    public static string Disable(Guid endpointId) => $"{Endpoint(endpointId)}/disable";

    public static string SendTestEvent(Guid endpointId) => $"{Endpoint(endpointId)}/test";

    public static string Recover(Guid endpointId) => $"{Endpoint(endpointId)}/recover";

    public static string Message(Guid id) => $"{Messages}/{id}";

    public static string Resend(Guid messageId) => $"{Message(messageId)}/resend";

    /// <summary>One endpoint's activity: its deliveries per day and its message log.</summary>
    public static string EndpointActivity(Guid endpointId) => $"{Endpoint(endpointId)}/activity";

    /// <summary>The console's page of one endpoint.</summary>
    public static string ConsoleEndpoint(Guid endpointId) => $"{ConsoleWebhooks}/endpoints/{endpointId}";

    /// <summary>The console's message log of one endpoint.</summary>
    public static string ConsoleEndpointMessages(Guid endpointId) => $"{ConsoleMessages}?endpoint={endpointId}";

    /// <summary>The organization area's page of one of the tenant's endpoints.</summary>
    public static string OrganizationEndpoint(Guid endpointId) => $"{OrganizationWebhooks}/endpoints/{endpointId}";

    /// <summary>The organization area's message log of one of the tenant's endpoints.</summary>
    public static string OrganizationEndpointMessages(Guid endpointId) => $"{OrganizationMessages}?endpoint={endpointId}";
}
