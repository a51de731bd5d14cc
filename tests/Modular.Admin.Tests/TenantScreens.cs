using Microsoft.Playwright;

namespace Modular.Admin.Tests;

/// <summary>Where things are on the tenant list and detail pages and in their dialogs.</summary>
public static class TenantScreens
{
    public static ILocator Table(IPage page) => page.GetByTestId("tenant-table");

    /// <summary>The list's tenant rows (not the "No tenants match." row).</summary>
    public static ILocator Rows(IPage page) =>
        Table(page).Locator("tbody tr").Filter(new() { HasNotText = "No tenants match." });

    /// <summary>Each row's slug, in order.</summary>
    public static ILocator Slugs(IPage page) => Rows(page).Locator("td:first-child");

    /// <summary>Each row's status chip, in order.</summary>
    public static ILocator Statuses(IPage page) => Rows(page).GetByTestId("tenant-status");

    /// <summary>The pager's "1-20 of 1,000" (the server's total, in the invariant culture's digits).</summary>
    public static ILocator PagerInfo(IPage page) => Table(page).Locator(".mud-table-page-number-information");

    /// <summary>The open MudBlazor dialog (one at a time on these pages).</summary>
    public static ILocator Dialog(IPage page) => page.GetByRole(AriaRole.Dialog);

    /// <summary>A button of the open dialog, by its exact text ("Reactivate", "Delete", "Cancel").</summary>
    public static ILocator DialogButton(IPage page, string text) =>
        Dialog(page).GetByRole(AriaRole.Button, new() { Name = text, Exact = true });

    /// <summary>The detail page's timeline actions, newest first.</summary>
    public static ILocator TimelineActions(IPage page) => page.GetByTestId("tenant-timeline").GetByTestId("audit-action");

    /// <summary>The detail page's fact table row for <paramref name="fact"/> ("Slug", "Suspended", "Purged after").</summary>
    public static ILocator Fact(IPage page, string fact) =>
        page.GetByTestId("tenant-facts").Locator("tr").Filter(new() { Has = page.Locator("th", new() { HasTextRegex = new($"^{fact}$") }) }).Locator("td");
}
