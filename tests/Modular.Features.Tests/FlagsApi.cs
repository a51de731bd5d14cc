using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.FeatureManagement;
using Modular.Features.Contracts;
using Modular.Features.Evaluation;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;

namespace Modular.Features.Tests;

/// <summary>What the feature flag tests do over and over: operators, tenants, flags, evaluation.</summary>
internal static class FlagsApi
{
    public static readonly string[] Operator = [FeaturesPermissions.Read, FeaturesPermissions.Manage, TenantsPermissions.Read, TenantsPermissions.Manage];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static HttpClient Operate(this ModularHost host) => host.CreateClientAs("operator", Operator);

    public static async Task<TenantInfo> CreateTenantAsync(this ModularHost host, string slug, string plan = "free")
    {
        var response = await host.Operate().PostAsJsonAsync(TenantsRoutes.Tenants, new { slug, name = slug, plan }, Ct);
        response.EnsureSuccessStatusCode();
        var tenant = (await response.Content.ReadFromJsonAsync<TenantDto>(Ct))!;
        return new TenantInfo(tenant.Id, tenant.Slug, tenant.Plan, IsSuspended: false);
    }

    public static async Task<FlagDto> CreateFlagAsync(this ModularHost host, object flag)
    {
        var response = await host.Operate().PostAsJsonAsync(FeaturesRoutes.Features, flag, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonSerializer.Deserialize<FlagDto>(body, JsonSerializerOptions.Web)!;
    }

    public static async Task<FlagDto> SendAsync(this HttpClient client, HttpMethod method, string url, object? body = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        var response = await client.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonSerializer.Deserialize<FlagDto>(text, JsonSerializerOptions.Web)!;
    }

    public static async Task<FeatureEvaluationDto> EvaluateAsync(this HttpClient client) =>
        (await client.GetFromJsonAsync<FeatureEvaluationDto>(FeaturesRoutes.Evaluate, Ct))!;

    /// <summary>Evaluates as the given user of the given tenant, straight through the feature manager.</summary>
    public static async Task<bool> IsOnAsync(this ModularHost host, string flag, string userId, TenantInfo? tenant = null, params string[] roles) =>
        await host.Services.GetRequiredService<IVariantFeatureManager>().IsEnabledAsync(flag, TenantTargetingContext.For(userId, tenant, roles), Ct);

    public static object Rollout(double percentage, string by = "User") =>
        new { name = "Rollout", parameters = new { percentage, by } };

    public static object Targeting(string[]? users = null, string[]? groups = null, double defaultRolloutPercentage = 0) =>
        new
        {
            name = "Microsoft.Targeting",
            parameters = new
            {
                audience = new
                {
                    users = users ?? [],
                    groups = (groups ?? []).Select(g => new { name = g, rolloutPercentage = 100 }).ToArray(),
                    defaultRolloutPercentage,
                },
            },
        };
}
