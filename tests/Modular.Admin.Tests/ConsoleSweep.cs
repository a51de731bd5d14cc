using System.Net.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Modular.Identity.Domain;
using Modular.Kernel.Modules;
using Modular.Metering.Contracts;
using Modular.Testing;
using Modular.Webhooks.Contracts;

namespace Modular.Admin.Tests;

/// <summary>
/// The console with one of everything a page can show (a tenant with a webhook endpoint, a flag, a user with a
/// password, a meter), and every page's address: the operators' pages from the modules' own links (so a new page is
/// swept without being listed here), their detail pages, the organization area's and the account pages.
/// </summary>
public sealed class ConsoleSweep : AdminConsoleFixture
{
    public const string Password = "Sweep-Passw0rd!";
    public const string UserEmail = "sweep@example.com";

    public Guid TenantId { get; private set; }

    public Guid UserId { get; private set; }

    /// <summary>The sweep tenant's webhook endpoint, whose page is swept too.</summary>
    public Guid EndpointId { get; private set; }

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        if (!File.Exists(ChromiumPath))
        {
            return;
        }

        using var tenants = new TenantsApi(this);
        TenantId = (await tenants.CreateAsync("sweep", "Sweep Industries")).Id;
        await this.CreateFlagAsync(new { key = "sweep.checkout", description = "The new checkout", type = "release", owner = "payments" });
        using (var api = Host.CreateClientAs("seed", MeteringPermissions.Read, MeteringPermissions.Manage))
        {
            (await api.PostAsJsonAsync(MeteringRoutes.Meters, new { key = "sweep-calls", name = "API calls", eventType = "usage.call", aggregation = "COUNT" })).EnsureSuccessStatusCode();
        }

        using (var member = Host.CreateClient())
        {
            member.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe("hooks", [WebhooksPermissions.Manage], TenantId.ToString()));
            using var endpoint = await member.PostAsJsonAsync(WebhooksRoutes.Endpoints, new { url = "https://hooks.sweep.example/a-rather-long-path/that-must-wrap/in-a-phone", description = "Orders" });
            EndpointId = (await endpoint.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<CreatedWebhookEndpoint>())!.Endpoint.Id;
        }

        await using var scope = Host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var user = new User { UserName = UserEmail, Email = UserEmail, EmailConfirmed = true, DisplayName = "Sweep", CreatedAt = DateTimeOffset.UtcNow };
        var created = await users.CreateAsync(user, Password);
        if (!created.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", created.Errors.Select(e => e.Description)));
        }

        UserId = user.Id;
    }

    /// <summary>Every operator page: the menu's, each module's pages for one tenant, and the detail pages.</summary>
    public IReadOnlyList<string> OperatorPages()
    {
        var modules = Host.Services.GetRequiredService<ModuleCatalog>().Enabled;
        return
        [
            "/admin",
            .. modules.SelectMany(m => m.AdminLinks).Select(l => l.Href),
            .. modules.SelectMany(m => m.TenantAdminLinks).Select(l => l.HrefFor(TenantId)),
            $"/admin/tenants/{TenantId}",
            "/admin/features/sweep.checkout",
            $"/admin/identity/users/{UserId}",
            "/admin/identity/clients/new",
            "/admin/identity/clients/modular-admin",
            "/admin/webhooks/messages",
            WebhooksRoutes.ConsoleEndpoint(EndpointId),
        ];
    }

    /// <summary>Every page of the organization area, and the permissions that open them all.</summary>
    public (IReadOnlyList<string> Pages, string[] Permissions) OrganizationPages()
    {
        var links = Host.Services.GetRequiredService<ModuleCatalog>().Enabled.SelectMany(m => m.OrganizationLinks).ToList();
        return (["/org", .. links.Select(l => l.Href), WebhooksRoutes.OrganizationEndpoint(EndpointId)], [.. links.Select(l => l.Permission).Distinct()]);
    }
}
