using System.Net.Http.Json;
using BenchmarkDotNet.Attributes;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Modular.Identity.Contracts;
using Modular.Kernel.Tenancy;
using Modular.Testing;
using Modular.Webhooks.Contracts;

namespace Modular.Bench;

/// <summary>
/// A tenant's API key asking for a token (client credentials, through the whole pipeline in process): a key holding
/// permissions only, the baseline, against a key holding a tenant role, whose permissions are read in the key's tenant
/// at every grant (ADR 0014) so that a changed role changes the key's next token. The ratio is what that costs.
/// SQLite by default; MODULAR_BENCH_POSTGRES for PostgreSQL.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[ShortRunJob]
public class ApiKeyGrantBenchmark
{
    private ModularHost _host = null!;
    private HttpClient _client = null!;
    private Dictionary<string, string> _withPermissions = null!;
    private Dictionary<string, string> _withRole = null!;

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        var settings = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning", ["RateLimiting:PermitLimit"] = "100000000" };
        if (Environment.GetEnvironmentVariable("MODULAR_BENCH_POSTGRES") is { Length: > 0 } postgres)
        {
            settings["Database:Provider"] = "Postgres";
            settings["Database:ConnectionString"] = postgres;
        }

        _host = ModularHost.OnSqlite(settings);
        Guid tenant;
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
            tenant = (await scope.ServiceProvider.GetRequiredService<ISender>().Send(new Tenants.Contracts.CreateTenant("bench", "Bench"))).Id;
        }

        using var admin = _host.CreateClient();
        admin.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe(
            "bench-admin", [IdentityPermissions.ApiKeysManage, IdentityPermissions.RolesManage, IdentityPermissions.MembersRead, WebhooksPermissions.Read], tenant.ToString()));
        (await admin.PostAsJsonAsync(IdentityRoutes.TenantRoles, new { name = "hook-reader", permissions = new[] { WebhooksPermissions.Read } })).EnsureSuccessStatusCode();
        _withPermissions = await KeyAsync(admin, new { name = "permissions", permissions = new[] { WebhooksPermissions.Read } });
        _withRole = await KeyAsync(admin, new { name = "role", roles = new[] { "hook-reader" } });
        _client = _host.CreateClient();
    }

    [Benchmark(Baseline = true, Description = "token for a key with permissions")]
    public async Task<int> KeyWithPermissions() => await TokenGrant.RequestAsync(_client, _withPermissions);

    [Benchmark(Description = "token for a key with a tenant role")]
    public async Task<int> KeyWithRole() => await TokenGrant.RequestAsync(_client, _withRole);

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    private static async Task<Dictionary<string, string>> KeyAsync(HttpClient admin, object key)
    {
        using var response = await admin.PostAsJsonAsync(IdentityRoutes.TenantApiKeys, key);
        response.EnsureSuccessStatusCode();
        var created = (await response.Content.ReadFromJsonAsync<TenantApiKeyWithSecret>())!;
        return new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = created.Key.ClientId,
            ["client_secret"] = created.ClientSecret,
            ["scope"] = "api",
        };
    }
}
