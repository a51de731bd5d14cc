using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Modular.Metering.Contracts;

namespace Modular.Admin.Tests;

/// <summary>
/// The console with a priced plan ("pro": API calls in graduated tiers, as in the issue), and what the
/// metering browser tests set up and check with: meters through the API, usage events sent as a tenant's member.
/// </summary>
public sealed class MeteringConsole : AdminConsoleFixture
{
    /// <summary>The meter the "pro" plan prices: 0–100 at 1.00, then 0.50 a call.</summary>
    public const string PricedMeter = "console-api-calls";

    /// <summary>The "pro" plan's hard quota of <see cref="PricedMeter"/> a period.</summary>
    public const int QuotaLimit = 1000;

    /// <summary>An operator who may read and define meters.</summary>
    public static readonly string Operator = TestSignIn.Describe("meter-operator", ["platform.admin", MeteringPermissions.Read, MeteringPermissions.Manage]);

    protected override ModularHost CreateHost() => ModularHost.OnSqlite(new Dictionary<string, string?>
    {
        ["Metering:Plans:pro:Currency"] = "USD",
        ["Metering:Plans:pro:Charges:0:Meter"] = PricedMeter,
        ["Metering:Plans:pro:Charges:0:Model"] = "Graduated",
        ["Metering:Plans:pro:Charges:0:Tiers:0:UpTo"] = "100",
        ["Metering:Plans:pro:Charges:0:Tiers:0:UnitPrice"] = "1",
        ["Metering:Plans:pro:Charges:0:Tiers:1:UnitPrice"] = "0.5",
        ["Metering:Plans:pro:Quotas:0:Meter"] = PricedMeter,
        ["Metering:Plans:pro:Quotas:0:Limit"] = QuotaLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Metering:Plans:pro:Quotas:0:Enforcement"] = QuotaEnforcements.Hard,
    });

    /// <summary>Also renders the meters page once, so the first test does not pay for compiling the module's pages.</summary>
    protected override async Task WarmUpAsync()
    {
        await base.WarmUpAsync();
        using var client = Host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = BaseAddress });
        client.DefaultRequestHeaders.Add("Cookie", $"{TestSignIn.Cookie}={Uri.EscapeDataString(Operator)}");
        await client.GetAsync(MeteringRoutes.ConsoleMeters);
    }

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public HttpClient MetersApi() => Host.CreateClientAs("seed", MeteringPermissions.Read, MeteringPermissions.Manage);

    public async Task<MeterDto> CreateMeterAsync(object meter)
    {
        using var api = MetersApi();
        using var response = await api.PostAsJsonAsync(MeteringRoutes.Meters, meter, Cancellation);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Cancellation));
        return (await response.Content.ReadFromJsonAsync<MeterDto>(Cancellation))!;
    }

    /// <summary>The meter as the API answers it, or null when there is none with that key.</summary>
    public async Task<MeterDto?> FindMeterAsync(string key)
    {
        using var api = MetersApi();
        using var response = await api.GetAsync(MeteringRoutes.Meter(key), Cancellation);
        return response.StatusCode == HttpStatusCode.NotFound ? null : await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<MeterDto>(Cancellation);
    }

    /// <summary>Creates the meter the "pro" plan prices, unless an earlier test of the class has.</summary>
    public async Task EnsurePricedMeterAsync()
    {
        if (await FindMeterAsync(PricedMeter) is null)
        {
            await CreateMeterAsync(new { key = PricedMeter, name = "API calls", eventType = "usage.call", aggregation = "COUNT" });
        }
    }

    /// <summary>Sends CloudEvents as a member of <paramref name="tenant"/> (slug), as a client of the platform would.</summary>
    public async Task SendEventsAsync(string tenant, params object[] events)
    {
        using var client = Host.CreateClient();
        client.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe("member-of-" + tenant, [MeteringPermissions.Ingest], tenant));
        using var body = new StringContent(JsonSerializer.Serialize(events), Encoding.UTF8, "application/cloudevents-batch+json");
        using var response = await client.PostAsync(MeteringRoutes.Events, body, Cancellation);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Cancellation));
    }

    /// <summary>Sets the billing time zone of <paramref name="tenant"/> (slug) through the API, as its own administrator would.</summary>
    public async Task SetBillingTimeZoneAsync(string tenant, string timeZone)
    {
        using var client = Host.CreateClient();
        client.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe("admin-of-" + tenant, [MeteringPermissions.BillingManage], tenant));
        using var response = await client.PutAsJsonAsync(MeteringRoutes.BillingProfile, new { timeZone }, Cancellation);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Cancellation));
    }

    public static Dictionary<string, object?> Event(string id, string type, object? data = null) => new()
    {
        ["specversion"] = "1.0",
        ["id"] = id,
        ["source"] = "gateway",
        ["type"] = type,
        ["subject"] = "customer-1",
        ["time"] = DateTimeOffset.UtcNow.ToString("O"),
        ["data"] = data,
    };
}

/// <summary>Where things are on the metering pages.</summary>
public static class MeteringScreens
{
    public static ILocator MeterRows(IPage page) =>
        page.GetByTestId("meter-table").Locator("tbody tr").Filter(new() { HasNotText = "No meters yet." });

    public static ILocator MeterRow(IPage page, string key) =>
        MeterRows(page).Filter(new() { Has = page.GetByTestId("meter-key").GetByText(key, new() { Exact = true }) });

    /// <summary>A form field with its label and error text, found by the field's test id.</summary>
    public static ILocator Field(IPage page, string testId) =>
        page.Locator(".mud-input-control").Filter(new() { Has = page.GetByTestId(testId) });

    public static ILocator MeterUsage(IPage page, string key) => page.Locator($"[data-testid=meter-usage][data-meter='{key}']");

    public static ILocator EventRows(IPage page) =>
        page.GetByTestId("event-table").Locator("tbody tr").Filter(new() { HasNotText = "No events match." });

    public static ILocator Dialog(IPage page) => page.GetByRole(AriaRole.Dialog);

    /// <summary>Waits for the dialog to close; when it stays open, fails with what it says and holds.</summary>
    public static async Task DialogClosedAsync(IPage page)
    {
        try
        {
            await Assertions.Expect(Dialog(page)).ToHaveCountAsync(0);
        }
        catch (PlaywrightException)
        {
            var fields = page.GetByRole(AriaRole.Dialog).Locator("input");
            var values = await fields.EvaluateAllAsync<string[]>("inputs => inputs.map(i => i.value)");
            Assert.Fail($"The dialog stayed open: {await Dialog(page).InnerTextAsync()} [fields: {string.Join(" | ", values)}]");
        }
    }
}
