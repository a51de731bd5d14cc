namespace Modular.Tenants.Configuration;

/// <summary>The <c>Tenants</c> configuration section.</summary>
public sealed class TenantsOptions
{
    public const string Section = "Tenants";

    /// <summary>How often tenants past their retention are purged.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a tenant created pending activation (a sign-up) waits for its owner before it is dropped.</summary>
    public TimeSpan ActivationWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Slugs no tenant may take: they name the platform's own hosts and pages when slugs become subdomains or paths.
    /// Configured entries add to these.
    /// </summary>
    public List<string> ReservedSlugs { get; set; } =
    [
        "admin", "api", "app", "www", "auth", "login", "logout", "signup", "sign-up", "register", "account", "accounts",
        "console", "dashboard", "platform", "system", "root", "support", "help", "docs", "status", "billing", "mail",
        "email", "static", "assets", "cdn", "connect", "oauth", "openid", "sso", "tenant", "tenants", "settings",
        "security", "internal", "staging", "dev", "test", "localhost",
    ];
}
