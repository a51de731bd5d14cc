using System.Net;
using System.Net.Http.Json;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Delivery;
using Modular.Webhooks.Domain;
using Modular.Webhooks.Persistence;

namespace Modular.Webhooks.Tests;

/// <summary>
/// The host with the delivery worker off (tests run the dispatcher themselves, step by step), http
/// allowed for loopback receivers on the allow-list, and optionally a fake clock.
/// </summary>
public sealed class WebhooksHost : IAsyncDisposable
{
    public static readonly string[] Admin = [WebhooksPermissions.Read, WebhooksPermissions.Manage];

    private WebhooksHost(ModularHost host, FakeTimeProvider? clock)
    {
        Host = host;
        Clock = clock;
    }

    public ModularHost Host { get; }

    public FakeTimeProvider? Clock { get; }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<WebhooksHost> StartAsync(
        DatabaseProvider provider, PostgresServer postgres, bool fakeClock = false, IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null, bool allowLoopback = true)
    {
        var all = new Dictionary<string, string?>
        {
            ["Webhooks:DeliveryEnabled"] = "false",
            ["Webhooks:AllowHttp"] = "true",
        };
        if (allowLoopback)
        {
            all["Webhooks:AllowedNetworks:0"] = "127.0.0.1/32";
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var host = await ModularHost.StartAsync(provider, postgres, all);
        var clock = fakeClock ? new FakeTimeProvider(DateTimeOffset.UtcNow) : null;
        host.WithServices(s =>
        {
            if (clock is not null)
            {
                s.AddSingleton<TimeProvider>(clock);
            }

            services?.Invoke(s);
        });
        return new WebhooksHost(host, clock);
    }

    /// <summary>
    /// Creates a tenant through the tenants API, and waits for its <c>tenant.created</c> message, so
    /// that event does not fan out to endpoints the test creates next.
    /// </summary>
    public async Task<TenantDto> CreateTenantAsync(string slug)
    {
        var client = Host.CreateClientAs("operator", TenantsPermissions.Manage, TenantsPermissions.Read);
        var response = await client.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug, name = slug }, Ct);
        response.EnsureSuccessStatusCode();
        var tenant = (await response.Content.ReadFromJsonAsync<TenantDto>(Ct))!;
        await Eventually.HoldsAsync(
            () => ReadAsync(db => db.Messages.AnyAsync(m => m.TenantId == tenant.Id && m.EventType == WebhookEventTypes.TenantCreated, Ct)),
            "tenant.created became a message");
        return tenant;
    }

    /// <summary>A client signed in as a member of <paramref name="tenant"/> with the given permissions.</summary>
    public HttpClient ClientFor(TenantDto tenant, params string[] permissions)
    {
        var client = Host.CreateClient();
        client.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe($"admin-of-{tenant.Slug}", permissions, tenant.Slug));
        return client;
    }

    public async Task<CreatedWebhookEndpoint> CreateEndpointAsync(HttpClient client, string url, object? extra = null)
    {
        var response = await client.PostAsJsonAsync(WebhooksRoutes.Endpoints, extra ?? new { url }, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<CreatedWebhookEndpoint>(Ct))!;
    }

    public async Task<WebhookMessageDto> SendAsync(HttpClient client, string eventId, object? data = null, string eventType = WebhookEventTypes.Test)
    {
        var response = await client.PostAsJsonAsync(WebhooksRoutes.Messages, new { eventType, eventId, data = data ?? new { n = 1 } }, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<WebhookMessageDto>(Ct))!;
    }

    public Task<int> DispatchAsync(CancellationToken? cancellationToken = null) =>
        Host.Services.GetRequiredService<WebhookDispatcher>().DispatchBatchAsync(cancellationToken ?? Ct);

    /// <summary>Reads the module's tables across tenants.</summary>
    public async Task<T> ReadAsync<T>(Func<WebhooksDbContext, Task<T>> read)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
        return await read(scope.ServiceProvider.GetRequiredService<WebhooksDbContext>());
    }

    public Task<WebhookDelivery> DeliveryAsync(Guid messageId) =>
        ReadAsync(db => db.Deliveries.AsNoTracking().SingleAsync(d => d.MessageId == messageId, Ct));

    public Task<List<WebhookAttempt>> AttemptsAsync(Guid messageId) =>
        ReadAsync(db => db.Attempts.AsNoTracking().Where(a => a.MessageId == messageId).OrderBy(a => a.AttemptedAt).ThenBy(a => a.Id).ToListAsync(Ct));

    /// <summary>Sends a command across tenants, as the admin console does.</summary>
    public async Task<T> SendAsync<T>(ICommand<T> command)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
        return await scope.ServiceProvider.GetRequiredService<ISender>().Send(command, Ct);
    }

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
