using System.Net.Http.Json;
using BenchmarkDotNet.Attributes;
using Modular.Identity.Contracts;
using Modular.Testing;

namespace Modular.Bench;

/// <summary>
/// A client asking for a token (client credentials, through the whole pipeline in process) for the platform's own scope,
/// the baseline, against the same client asking for an API resource's scope, whose audiences are read from OpenIddict's
/// scope store at every grant (ADR 0017). The ratio is what a SaaS app's own API costs per token.
/// SQLite by default; MODULAR_BENCH_POSTGRES for PostgreSQL.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[ShortRunJob]
public class ApiResourceGrantBenchmark
{
    private ModularHost _host = null!;
    private HttpClient _client = null!;
    private Dictionary<string, string> _platformScope = null!;
    private Dictionary<string, string> _resourceScope = null!;

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["RateLimiting:PermitLimit"] = "100000000",
            ["Identity:Clients:0:ClientId"] = "billing-server",
            ["Identity:Clients:0:ClientSecret"] = "billing-server-secret-0123456789",
            ["Identity:Clients:0:Type"] = "confidential",
        };
        if (Environment.GetEnvironmentVariable("MODULAR_BENCH_POSTGRES") is { Length: > 0 } postgres)
        {
            settings["Database:Provider"] = "Postgres";
            settings["Database:ConnectionString"] = postgres;
        }

        _host = ModularHost.OnSqlite(settings);
        using var admin = _host.CreateClientAs("bench-admin", IdentityPermissions.ClientsManage);
        (await admin.PostAsJsonAsync(IdentityRoutes.ApiResources,
            new { name = "billing-api", scopes = new[] { "billing.read" }, resourceServer = "billing-server" })).EnsureSuccessStatusCode();
        using var created = await admin.PostAsJsonAsync(IdentityRoutes.Clients,
            new { clientId = "billing-worker", type = "confidential", grantTypes = new[] { "client_credentials" }, scopes = new[] { "api", "billing.read" } });
        var secret = (await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<ClientWithSecret>())!.ClientSecret!;
        _platformScope = Grant(secret, "api");
        _resourceScope = Grant(secret, "billing.read");
        _client = _host.CreateClient();
    }

    [Benchmark(Baseline = true, Description = "token for the platform's scope")]
    public async Task<int> PlatformScope() => await TokenGrant.RequestAsync(_client, _platformScope);

    [Benchmark(Description = "token for an API resource's scope")]
    public async Task<int> ResourceScope() => await TokenGrant.RequestAsync(_client, _resourceScope);

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    private static Dictionary<string, string> Grant(string secret, string scope) => new()
    {
        ["grant_type"] = "client_credentials",
        ["client_id"] = "billing-worker",
        ["client_secret"] = secret,
        ["scope"] = scope,
    };
}
