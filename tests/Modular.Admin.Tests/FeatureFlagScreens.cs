using System.Net.Http.Json;
using Microsoft.Playwright;
using Modular.Features.Contracts;
using Modular.Tenants.Contracts;

namespace Modular.Admin.Tests;

/// <summary>Where things are on the feature flag pages, and the flags API the tests set up and check with.</summary>
public static class FeatureFlagScreens
{
    public static ILocator Rows(IPage page) =>
        page.GetByTestId("flag-table").Locator("tbody tr").Filter(new() { HasNotText = "No flags match." });

    public static ILocator Keys(IPage page) => Rows(page).GetByTestId("flag-key");

    public static ILocator Dialog(IPage page) => page.GetByRole(AriaRole.Dialog);

    public static ILocator HistoryActions(IPage page) => page.GetByTestId("flag-history").GetByTestId("history-action");

    public static HttpClient FlagsApi(this AdminConsoleFixture console) =>
        console.Host.CreateClientAs("seed", FeaturesPermissions.Read, FeaturesPermissions.Manage, TenantsPermissions.Read, TenantsPermissions.Manage);

    public static async Task<FlagDto> CreateFlagAsync(this AdminConsoleFixture console, object flag)
    {
        using var api = console.FlagsApi();
        using var response = await api.PostAsJsonAsync(FeaturesRoutes.Features, flag, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return (await response.Content.ReadFromJsonAsync<FlagDto>(TestContext.Current.CancellationToken))!;
    }

    public static async Task<FlagDto> GetFlagAsync(this AdminConsoleFixture console, string key)
    {
        using var api = console.FlagsApi();
        return (await api.GetFromJsonAsync<FlagDto>(FeaturesRoutes.Flag(key), TestContext.Current.CancellationToken))!;
    }
}
