using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Modular.Metering.Contracts;
using Modular.Tenants.Contracts;

namespace Modular.Metering.Tests;

/// <summary>What the tests do through the API: tenants, callers, meters and CloudEvents.</summary>
internal static class MeteringApi
{
    public const string BatchMediaType = "application/cloudevents-batch+json";

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Creates a tenant through the tenants API and returns its id.</summary>
    public static async Task<Guid> CreateTenantAsync(ModularHost host, string slug)
    {
        var admin = host.CreateClientAs("operator", "tenants.manage");
        var response = await admin.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug, name = slug }, Ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
    }

    /// <summary>A member of <paramref name="tenant"/> (slug) holding the given metering permissions.</summary>
    public static HttpClient Member(ModularHost host, string tenant, params string[] permissions)
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe("member-of-" + tenant, permissions, tenant));
        return client;
    }

    /// <summary>A member of <paramref name="tenant"/> who may send and read usage.</summary>
    public static HttpClient Ingester(ModularHost host, string tenant) =>
        Member(host, tenant, MeteringPermissions.Ingest, MeteringPermissions.Read);

    public static HttpClient Operator(ModularHost host) =>
        host.CreateClientAs("operator", MeteringPermissions.Manage, MeteringPermissions.Read);

    public static async Task<MeterDto> CreateMeterAsync(ModularHost host, object meter)
    {
        var response = await Operator(host).PostAsJsonAsync(MeteringRoutes.Meters, meter, Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<MeterDto>(Ct))!;
    }

    /// <summary>A CloudEvents 1.0 event as a client would send it.</summary>
    public static Dictionary<string, object?> Event(string id, string type = "api.call", object? data = null, string source = "gateway", string? subject = "customer-1", DateTimeOffset? time = null) =>
        new()
        {
            ["specversion"] = "1.0",
            ["id"] = id,
            ["source"] = source,
            ["type"] = type,
            ["subject"] = subject,
            ["time"] = (time ?? DateTimeOffset.UtcNow).ToString("O"),
            ["data"] = data,
        };

    public static Task<HttpResponseMessage> SendAsync(HttpClient client, object body, string mediaType = "application/cloudevents+json") =>
        client.PostAsync(MeteringRoutes.Events, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, mediaType), Ct);

    public static async Task<UsageRecorded> SendOkAsync(HttpClient client, object body, string mediaType = "application/cloudevents+json")
    {
        var response = await SendAsync(client, body, mediaType);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<UsageRecorded>(Ct))!;
    }

    public static async Task<List<UsageEventDto>> ListEventsAsync(HttpClient client, string query = "") =>
        (await client.GetFromJsonAsync<List<UsageEventDto>>(MeteringRoutes.Events + query, Ct))!;

    public static async Task<MeterQueryResult> QueryAsync(HttpClient client, string meter, string query)
    {
        var response = await client.GetAsync($"{MeteringRoutes.MeterQuery(meter)}?{query}", Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<MeterQueryResult>(Ct))!;
    }

    /// <summary>The whole-minute range around now, for queries over events just sent.</summary>
    public static string AroundNow()
    {
        var now = DateTimeOffset.UtcNow;
        var from = new DateTimeOffset(now.Year, now.Month, now.Day, 0, 0, 0, TimeSpan.Zero).AddDays(-1);
        return $"from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(from.AddDays(3).ToString("O"))}";
    }
}
