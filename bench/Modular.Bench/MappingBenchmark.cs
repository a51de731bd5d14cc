using BenchmarkDotNet.Attributes;
using Mapster;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Modular.Tenants.Contracts;
using Modular.Tenants.Domain;
using Modular.Tenants.Persistence;
using Modular.Tenants.UseCases;
using Modular.Testing;

namespace Modular.Bench;

/// <summary>
/// Entity → DTO mapping, the platform's hand-written <c>ToDto</c> against Mapster (ADR 0013): one page of 20 of
/// 1,000 tenants read and mapped (Mapster's <c>Adapt</c> after the same query, and its <c>ProjectToType</c>, which
/// lets EF select only the DTO's columns), and the mapping alone over 20 loaded tenants. SQLite.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[ShortRunJob]
public class MappingBenchmark
{
    private readonly TypeAdapterConfig _mapster = new();
    private ModularHost _host = null!;
    private IServiceScope _scope = null!;
    private TenantsDbContext _db = null!;
    private Tenant[] _loaded = [];

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        _host = ModularHost.OnSqlite(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" });
        await TenantListBenchmark.SeedAsync(_host, 1_000);
        _scope = _host.Services.CreateScope();
        _db = _scope.ServiceProvider.GetRequiredService<TenantsDbContext>();
        // By convention but for one rule (the metadata column handed over as it is). ProjectToType still throws:
        // Mapster copies the dictionary through a delegate EF cannot translate (ADR 0013), so its row prints NA.
        _mapster.NewConfig<Tenant, TenantDto>().Map(dto => dto.Metadata, tenant => (IReadOnlyDictionary<string, string>)tenant.Metadata);
        _mapster.Compile(); // and validates: every DTO member has a source
        _loaded = await Page().ToArrayAsync();
    }

    [Benchmark(Baseline = true, Description = "page of 20: query + ToDto (hand-written)")]
    public async Task<int> QueryThenHandWritten() => (await Page().ToListAsync()).Select(t => t.ToDto()).Count();

    [Benchmark(Description = "page of 20: query + Mapster Adapt")]
    public async Task<int> QueryThenAdapt() => (await Page().ToListAsync()).Select(t => t.Adapt<TenantDto>(_mapster)).Count();

    [Benchmark(Description = "page of 20: Mapster ProjectToType (SQL selects the DTO)")]
    public async Task<int> ProjectToType() => (await Page().ProjectToType<TenantDto>(_mapster).ToListAsync()).Count;

    [Benchmark(Description = "20 loaded tenants: ToDto (hand-written)")]
    public int MapHandWritten() => _loaded.Select(t => t.ToDto()).Sum(d => d.Version);

    [Benchmark(Description = "20 loaded tenants: Mapster Adapt")]
    public int MapAdapt() => _loaded.Select(t => t.Adapt<TenantDto>(_mapster)).Sum(d => d.Version);

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        _scope.Dispose();
        await _host.DisposeAsync();
    }

    private IQueryable<Tenant> Page() => _db.Tenants.AsNoTracking().OrderByDescending(t => t.Id).Take(20);
}
