namespace Modular.Metering.Contracts;

/// <summary>
/// The module's paths, written once: its endpoints map their groups from these, and tests, console pages and
/// <c>Location</c> headers build their links with them.
/// </summary>
public static class MeteringRoutes
{
    /// <summary>The tenant's usage API (the tenant comes from the caller's token): events, billing, entitlements.</summary>
    public const string Metering = "/api/v1/metering";

    /// <summary>Usage events in (POST) and the tenant's event debugger (GET).</summary>
    public const string Events = Metering + "/events";

    /// <summary>Platform-wide meter definitions, and each meter's usage queries.</summary>
    public const string Meters = Metering + "/meters";

    /// <summary>Platform-wide plans: prices and quotas.</summary>
    public const string Plans = Metering + "/plans";

    /// <summary>The tenant's closed billing periods.</summary>
    public const string Statements = Metering + "/statements";

    public const string BillingProfile = Metering + "/billing-profile";

    public const string InvoicePreview = Metering + "/invoice-preview";

    public const string Entitlements = Metering + "/entitlements";

    /// <summary>Platform operators' API: every tenant's usage.</summary>
    public const string Platform = Metering + "/platform";

    public const string PlatformEvents = Platform + "/events";

    /// <summary>The console's meter list.</summary>
    public const string ConsoleMeters = "/admin/metering/meters";

    /// <summary>The console's plan editor.</summary>
    public const string ConsolePlans = "/admin/metering/plans";

    /// <summary>The console's event debugger across tenants.</summary>
    public const string ConsoleEvents = "/admin/metering/events";

    /// <summary>The console's usage pages of one tenant, under <c>/{tenantId}</c>.</summary>
    public const string ConsoleTenants = "/admin/metering/tenants";

    /// <summary>The organization area's usage page: the tenant's own usage, quotas, invoice preview and billing profile.</summary>
    public const string OrganizationUsage = "/org/usage";

    /// <summary>The organization area's closed statements, with their downloads.</summary>
    public const string OrganizationStatements = OrganizationUsage + "/statements";

    public static string Event(Guid id) => $"{Events}/{id}";

    public static string Meter(string key) => $"{Meters}/{key}";

    public static string MeterQuery(string key) => $"{Meter(key)}/query";

    public static string Plan(string key) => $"{Plans}/{key}";

    public static string Statement(Guid id) => $"{Statements}/{id}";

    public static string StatementExport(Guid id) => $"{Statement(id)}/export";

    public static string Entitlement(string meterKey) => $"{Entitlements}/{meterKey}";

    /// <summary>One tenant's usage page in the console.</summary>
    public static string ConsoleTenantUsage(Guid tenantId) => $"{ConsoleTenants}/{tenantId}";

    /// <summary>One tenant's event debugger in the console.</summary>
    public static string ConsoleTenantEvents(Guid tenantId) => $"{ConsoleTenantUsage(tenantId)}/events";
}
