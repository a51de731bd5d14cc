using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Modular.Identity.Contracts;
using Modular.Kernel.Outbox;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using Modular.Metering.Contracts;
using Modular.Tenants.Contracts;
using Modular.Webhooks.Contracts;

namespace Modular.Host.Tests;

/// <summary>
/// The figures the console's dashboard shows, read by each module's overview query and the kernel's outbox backlog,
/// on both providers: counts by status, the newest audit entries with tenant names, refused and unmatched usage and the
/// daily trend, webhook failures, accounts.
/// </summary>
public sealed class DashboardFiguresTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Each_module_counts_what_the_dashboard_shows(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres, new Dictionary<string, string?> { ["Webhooks:DeliveryEnabled"] = "false" });
        var platform = host.CreateClientAs("operator", host.ApiPermissions());
        var acme = await CreateTenantAsync(platform, "acme");
        var globex = await CreateTenantAsync(platform, "globex");
        (await platform.PostAsJsonAsync(TenantsRoutes.Suspend(globex.Id), new { reason = "unpaid" }, Ct)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Created, (await platform.PostAsJsonAsync(IdentityRoutes.Users, new { email = "new@example.com", invite = false }, Ct)).StatusCode);
        (await platform.PostAsJsonAsync(MeteringRoutes.Meters, new { key = "calls", name = "Calls", eventType = "api.call", aggregation = "COUNT" }, Ct)).EnsureSuccessStatusCode();

        var member = host.CreateClient();
        member.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe("acme-admin", host.ApiPermissions(), acme.Slug));
        object Event(string id, string type) => new { specversion = "1.0", id, source = "gateway", type, subject = "customer-1", time = DateTimeOffset.UtcNow.ToString("O") };
        using var batch = new StringContent(JsonSerializer.Serialize(new[] { Event("e-1", "api.call"), Event("e-2", "api.call"), Event("e-3", "typo.call") }, JsonSerializerOptions.Web),
            Encoding.UTF8, "application/cloudevents-batch+json");
        Assert.True((await member.PostAsync(MeteringRoutes.Events, batch, Ct)).IsSuccessStatusCode);
        (await member.PostAsJsonAsync(WebhooksRoutes.Endpoints, new { url = "https://hooks.example.com/acme" }, Ct)).EnsureSuccessStatusCode();

        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants(); // as the console's operator reads
        var sender = scope.ServiceProvider.GetRequiredService<ISender>();

        var tenants = await sender.Send(new GetTenantsOverview(RecentEntries: 3), Ct);
        Assert.Equal(1, tenants.ByStatus[TenantStatuses.Active]);
        Assert.Equal(1, tenants.ByStatus[TenantStatuses.Suspended]);
        Assert.False(tenants.ByStatus.ContainsKey(TenantStatuses.PendingDeletion));
        Assert.Equal(3, tenants.RecentAudit.Count);
        var newest = tenants.RecentAudit[0];
        Assert.Equal(("tenant.suspended", globex.Id, "globex"), (newest.Action, newest.TenantId, newest.TenantName));
        Assert.True(tenants.RecentAudit.Zip(tenants.RecentAudit.Skip(1)).All(p => p.First.OccurredAt >= p.Second.OccurredAt), "newest first");

        var users = await sender.Send(new GetUsersOverview(), Ct);
        Assert.Equal((1, 1, 0), (users.Total, users.Unconfirmed, users.LockedOut));

        var usage = await sender.Send(new GetUsageDigest(Days: 7), Ct);
        Assert.Equal((0, 1), (usage.InvalidLastDay, usage.UnmatchedLastDay));
        Assert.Equal(7, usage.EventsPerDay.Count);
        Assert.Equal((DateOnly.FromDateTime(DateTime.UtcNow), 3), (usage.EventsPerDay[^1].Day, usage.EventsPerDay[^1].Events));
        Assert.Equal(3, usage.EventsPerDay.Sum(d => d.Events));

        var webhooks = await sender.Send(new GetWebhooksOverview(), Ct);
        Assert.Equal((1, 0, 0, 0), (webhooks.Endpoints, webhooks.Failing, webhooks.Disabled, webhooks.FailedLastDay));

        var backlog = await scope.ServiceProvider.GetRequiredService<OutboxBacklog>().ReadAsync(Ct);
        Assert.Contains(backlog, b => b.Module == "tenants");
        Assert.All(backlog, b => Assert.True(b.Pending >= 0 && b.GivenUp == 0, $"{b.Module}: nothing given up in a fresh host"));
    }

    private static async Task<TenantDto> CreateTenantAsync(HttpClient platform, string slug)
    {
        var response = await platform.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug, name = slug }, Ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<TenantDto>(Ct))!;
    }
}
