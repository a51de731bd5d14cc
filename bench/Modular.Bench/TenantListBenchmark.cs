using System.Net.Http.Json;
using BenchmarkDotNet.Attributes;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;
using Modular.Tenants.Persistence;
using Modular.Testing;

namespace Modular.Bench;

/// <summary>
/// Page 1 of 1,000 tenants through the whole API (routing, auth, tenant resolution, rate limiter,
/// mediator pipeline, validation, JSON) against the same query by plain EF: what the platform adds.
/// SQLite by default; set MODULAR_BENCH_POSTGRES to a connection string (owner of an empty database) for PostgreSQL.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[ShortRunJob]
public class TenantListBenchmark
{
    private ModularHost _host = null!;
    private HttpClient _client = null!;
    private IServiceScope _scope = null!;
    private TenantsDbContext _db = null!;

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        var settings = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" };
        if (Environment.GetEnvironmentVariable("MODULAR_BENCH_POSTGRES") is { Length: > 0 } postgres)
        {
            settings["Database:Provider"] = "Postgres";
            settings["Database:ConnectionString"] = postgres;
        }

        _host = ModularHost.OnSqlite(settings);
        _client = _host.CreateClientAs("bench", TenantsPermissions.Read);
        await SeedAsync(_host, 1_000);
        _scope = _host.Services.CreateScope();
        _db = _scope.ServiceProvider.GetRequiredService<TenantsDbContext>();
    }

    [Benchmark(Baseline = true, Description = "plain EF: count + page 1")]
    public async Task<int> PlainEf()
    {
        var total = await _db.Tenants.AsNoTracking().CountAsync();
        var page = await _db.Tenants.AsNoTracking().OrderByDescending(t => t.Id).Take(20).ToListAsync();
        return total + page.Count;
    }

    [Benchmark(Description = "GET /api/v1/tenants (page 1)")]
    public async Task<int> ListApi()
    {
        var page = await _client.GetFromJsonAsync<TenantPage>($"{TenantsRoutes.Tenants}?page=1&pageSize=20");
        return page!.Total + page.Items.Count;
    }

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        _scope.Dispose();
        _client.Dispose();
        await _host.DisposeAsync();
    }

    /// <summary>Creates <paramref name="count"/> tenants through the mediator, as the API would.</summary>
    internal static async Task SeedAsync(ModularHost host, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await using var scope = host.Services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
            await scope.ServiceProvider.GetRequiredService<ISender>().Send(new CreateTenant($"tenant-{i:D4}", $"Tenant {i:D4}"));
        }
    }
}
