using System.Net.Http.Json;
using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Auditing;
using Modular.Kernel.Modules;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using Modular.Metering.Contracts;
using Modular.Tenants.Contracts;
using Modular.Webhooks.Contracts;

namespace Modular.Admin.Tests;

/// <summary>
/// The command palette's sources on the real host, without a browser: a scope stands in for the console's circuit, as
/// the layout leaves it (all tenants, the operator signed in), and the palette asks every module's <see cref="IConsoleSearch"/>.
/// </summary>
public sealed class ConsoleSearchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_operator_who_may_not_read_meters_finds_none_as_on_the_meters_page_and_one_who_may_finds_them()
    {
        await using var host = ModularHost.OnSqlite();
        using (var api = host.CreateClientAs("seed", MeteringPermissions.Read, MeteringPermissions.Manage))
        {
            using var created = await api.PostAsJsonAsync(MeteringRoutes.Meters, new { key = "palette-calls", name = "Palette calls", eventType = "usage.call", aggregation = "COUNT" }, Ct);
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync(Ct));
        }

        Assert.DoesNotContain(await SearchAsync(host, "palette", PlatformPermissions.Admin), h => h.Kind == "Meters");

        var hit = Assert.Single(await SearchAsync(host, "PALETTE-CALLS", PlatformPermissions.Admin, MeteringPermissions.Read));
        Assert.Equal(("Meters", "Palette calls", MeteringRoutes.ConsoleMeters), (hit.Kind, hit.Title, hit.Href));
    }

    [Fact]
    public async Task Every_tenants_webhook_endpoints_are_found_by_description_and_link_to_their_console_page()
    {
        await using var host = ModularHost.OnSqlite();
        var endpoints = new List<Guid>();
        foreach (var slug in new[] { "palette-a", "palette-b" })
        {
            TenantDto tenant;
            using (var api = host.CreateClientAs("seed", TenantsPermissions.Read, TenantsPermissions.Manage))
            {
                using var response = await api.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug, name = slug }, Ct);
                tenant = (await response.Content.ReadFromJsonAsync<TenantDto>(Ct))!;
            }

            using var member = host.CreateClient();
            member.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe("hooks", [WebhooksPermissions.Manage], tenant.Id.ToString()));
            using var created = await member.PostAsJsonAsync(WebhooksRoutes.Endpoints, new { url = $"https://{slug}.example/hooks", description = "Order sync" }, Ct);
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync(Ct));
            endpoints.Add((await created.Content.ReadFromJsonAsync<CreatedWebhookEndpoint>(Ct))!.Endpoint.Id);
        }

        var hits = await SearchAsync(host, "order SYNC", PlatformPermissions.Admin);

        Assert.All(hits, h => Assert.Equal(("Webhook endpoints", "Order sync"), (h.Kind, h.Detail)));
        Assert.Equal(endpoints.Select(WebhooksRoutes.ConsoleEndpoint).Order(), hits.Select(h => h.Href).Order());
    }

    /// <summary>What the palette would show <paramref name="text"/>, for an operator holding <paramref name="permissions"/>.</summary>
    private static async Task<List<ConsoleSearchHit>> SearchAsync(ModularHost host, string text, params string[] permissions)
    {
        await using var circuit = host.Services.CreateAsyncScope();
        circuit.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
        circuit.ServiceProvider.GetRequiredService<CallerScope>().User = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "ops@example.com"), .. permissions.Select(p => new Claim(ModularClaims.Permission, p))], "console"));
        var hits = new List<ConsoleSearchHit>();
        foreach (var source in circuit.ServiceProvider.GetServices<IConsoleSearch>())
        {
            hits.AddRange(await source.SearchAsync(text, ConsoleSearch.HitsPerSource, Ct));
        }

        return hits;
    }
}
