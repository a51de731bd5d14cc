using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Modular.Identity.Contracts;
using Modular.Tenants.Contracts;
using Modular.Webhooks.Contracts;

namespace Modular.Cluster.Tests;

/// <summary>
/// Two host processes, <see cref="A"/> and <see cref="B"/>, on one PostgreSQL database (and Redis when given) behind
/// haproxy, configured as production is (Production settings, shared token keys, a drain on SIGTERM), with an operator
/// client seeded from configuration. Everything it starts it stops; its logs are in each instance's <c>Log</c>.
/// </summary>
internal sealed class TwoInstances : IAsyncDisposable
{
    public const string OperatorId = "operator";
    private const string OperatorSecret = "cluster-tests-operator-secret";

    private static readonly string[] OperatorPermissions =
    [
        TenantsPermissions.Manage, TenantsPermissions.Read, IdentityPermissions.ClientsManage, WebhooksPermissions.Read, WebhooksPermissions.Manage,
    ];

    private readonly string _logs;

    private TwoInstances(HostInstance a, HostInstance b, HaproxyServer balancer, string logs)
    {
        A = a;
        B = b;
        Balancer = balancer;
        _logs = logs;
    }

    public HostInstance A { get; }

    public HostInstance B { get; }

    public HaproxyServer Balancer { get; }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<TwoInstances> StartAsync(PostgresServer postgres, IReadOnlyDictionary<string, string>? settings = null)
    {
        var database = await postgres.CreateDatabaseAsync();
        var balancerPort = ServerProcess.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Modular"] = "Information",
            ["Https__Required"] = "false", // plain HTTP on loopback, as behind a TLS-terminating balancer
            ["Database__Provider"] = "Postgres",
            ["Database__ConnectionString"] = database,
            ["Database__MigrationConnectionString"] = PostgresServer.AsOwner(database),
            ["Database__MigrateOnStartup"] = "true",
            ["Identity__Issuer"] = $"http://127.0.0.1:{balancerPort}/", // the public URL: tokens from one instance are good on the other
            ["Identity__SigningKeys__0"] = ModularHost.SharedTokenKeys.Signing,
            ["Identity__EncryptionKeys__0"] = ModularHost.SharedTokenKeys.Encryption,
            ["Identity__Clients__0__ClientId"] = OperatorId,
            ["Identity__Clients__0__ClientSecret"] = OperatorSecret,
            ["Identity__Clients__0__GrantTypes__0"] = "client_credentials",
            ["Identity__Clients__0__Scopes__0"] = "api",
            ["RateLimiting__PermitLimit"] = "1000000",
            ["Shutdown__DrainDelay"] = "00:00:03", // haproxy takes an instance out after 3 × 500 ms of 503s
            ["Outbox__PollInterval"] = "00:00:00.200",
            ["Webhooks__AllowHttp"] = "true",
            ["Webhooks__AllowedNetworks__0"] = "127.0.0.1/32",
        };
        for (var i = 0; i < OperatorPermissions.Length; i++)
        {
            environment[$"Identity__Clients__0__Permissions__{i}"] = OperatorPermissions[i];
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var logs = Directory.CreateTempSubdirectory("modular-cluster-").FullName;
        var a = await HostInstance.StartAsync("a", environment, logs); // migrates the database first
        var b = await HostInstance.StartAsync("b", environment, logs);
        var balancer = await HaproxyServer.StartAsync(balancerPort, [(a.Name, a.Port), (b.Name, b.Port)]);
        var cluster = new TwoInstances(a, b, balancer, logs);
        await cluster.InRotationAsync(a, b);
        return cluster;
    }

    /// <summary>Waits until the balancer sends requests to every one of <paramref name="instances"/>.</summary>
    public async Task InRotationAsync(params HostInstance[] instances)
    {
        using var client = Through();
        await Eventually.HoldsAsync(
            async () =>
            {
                var served = new HashSet<string>();
                for (var i = 0; i < 4; i++)
                {
                    using var response = await client.GetAsync("/health/live", Ct);
                    served.Add(ServedBy(response));
                }

                return instances.All(i => served.Contains(i.Name));
            },
            $"the balancer sends requests to {string.Join(" and ", instances.Select(i => i.Name))}");
    }

    public static string ServedBy(HttpResponseMessage response) =>
        response.Headers.TryGetValues(HaproxyServer.ServedBy, out var values) ? values.Single() : "";

    /// <summary>A client of the balancer.</summary>
    public HttpClient Through(HttpMessageHandler? handler = null) =>
        new(handler ?? new SocketsHttpHandler(), disposeHandler: true) { BaseAddress = Balancer.Address, Timeout = TimeSpan.FromMinutes(1) };

    /// <summary>A client of the balancer with the operator's bearer token.</summary>
    public async Task<HttpClient> OperatorAsync() => Bearer(Through(), await OperatorTokenAsync());

    public Task<string> OperatorTokenAsync() => TokenAsync(OperatorId, OperatorSecret);

    /// <summary>Creates a tenant and a client bound to it holding <paramref name="permissions"/>; returns the tenant's id and a token of that client.</summary>
    public async Task<(Guid TenantId, string Token)> TenantWithClientAsync(string slug, params string[] permissions)
    {
        using var operatorClient = await OperatorAsync();
        var tenant = await (await operatorClient.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug, name = slug }, Ct)).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<TenantDto>(Ct);
        var created = await operatorClient.PostAsJsonAsync(IdentityRoutes.Clients, new
        {
            clientId = slug + "-worker",
            type = ClientKinds.Confidential,
            grantTypes = new[] { "client_credentials" },
            scopes = new[] { "api" },
            tenant = slug,
            permissions,
        }, Ct);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Ct));
        var secret = (await created.Content.ReadFromJsonAsync<ClientWithSecret>(Ct))!.ClientSecret!;
        return (tenant!.Id, await TokenAsync(slug + "-worker", secret));
    }

    public static HttpClient Bearer(HttpClient client, string token)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static HttpClient Direct(HostInstance instance) => new() { BaseAddress = instance.Address, Timeout = TimeSpan.FromMinutes(1) };

    private async Task<string> TokenAsync(string clientId, string secret)
    {
        using var client = Through();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "api" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}")));
        using var response = await client.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        await Balancer.DisposeAsync();
        await A.DisposeAsync();
        await B.DisposeAsync();
        Directory.Delete(_logs, recursive: true);
    }
}
