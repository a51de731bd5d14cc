using System.Net.Http.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.FeatureManagement;
using Modular.Features.Contracts;
using Modular.Features.Evaluation;
using Modular.Kernel.Tenancy;
using Modular.Testing;

namespace Modular.Bench;

/// <summary>
/// One flag evaluation on a warm cache, through the platform's feature manager (kill switch, tenant
/// override, then Microsoft.FeatureManagement): a database flag targeted at a tenant group and a user
/// percentage, against the same targeting declared in plain appsettings (the baseline), and a plain
/// on/off appsettings flag for scale. The goal: the database flag within 2× of the appsettings one.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[ShortRunJob]
public class FeatureFlagBenchmark
{
    private static readonly TenantInfo Tenant = new(Guid.CreateVersion7(), "bench", "pro", false);

    private ModularHost _host = null!;
    private IVariantFeatureManager _features = null!;
    private TenantTargetingContext _caller = null!;

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        _host = ModularHost.OnSqlite(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["feature_management:feature_flags:0:id"] = "config-targeted",
            ["feature_management:feature_flags:0:enabled"] = "true",
            ["feature_management:feature_flags:0:conditions:client_filters:0:name"] = "Microsoft.Targeting",
            ["feature_management:feature_flags:0:conditions:client_filters:0:parameters:Audience:Groups:0:Name"] = TargetingGroups.Tenant(Tenant.Id),
            ["feature_management:feature_flags:0:conditions:client_filters:0:parameters:Audience:Groups:0:RolloutPercentage"] = "100",
            ["feature_management:feature_flags:0:conditions:client_filters:0:parameters:Audience:DefaultRolloutPercentage"] = "30",
            ["feature_management:feature_flags:1:id"] = "config-on",
            ["feature_management:feature_flags:1:enabled"] = "true",
        });
        using var client = _host.CreateClientAs("bench", FeaturesPermissions.Manage);
        var flag = new
        {
            key = "db-targeted",
            filters = new[]
            {
                new
                {
                    name = "Microsoft.Targeting",
                    parameters = new { audience = new { groups = new[] { new { name = TargetingGroups.Tenant(Tenant.Id), rolloutPercentage = 100 } }, defaultRolloutPercentage = 30 } },
                },
            },
        };
        (await client.PostAsJsonAsync(FeaturesRoutes.Features, flag)).EnsureSuccessStatusCode();
        _features = _host.Services.GetRequiredService<IVariantFeatureManager>();
        _caller = TenantTargetingContext.For("user-42", Tenant, ["member"]);
        if (!await DatabaseTargeted() || !await ConfigurationTargeted() || !await ConfigurationOnOff())
        {
            throw new InvalidOperationException("Every benchmarked flag must be on for the benchmark's caller.");
        }
    }

    [Benchmark(Baseline = true, Description = "appsettings flag, targeted")]
    public ValueTask<bool> ConfigurationTargeted() => _features.IsEnabledAsync("config-targeted", _caller, CancellationToken.None);

    [Benchmark(Description = "database flag, targeted (warm cache)")]
    public ValueTask<bool> DatabaseTargeted() => _features.IsEnabledAsync("db-targeted", _caller, CancellationToken.None);

    [Benchmark(Description = "appsettings flag, plain on")]
    public ValueTask<bool> ConfigurationOnOff() => _features.IsEnabledAsync("config-on", _caller, CancellationToken.None);

    [GlobalCleanup]
    public async Task CleanUpAsync() => await _host.DisposeAsync();
}
