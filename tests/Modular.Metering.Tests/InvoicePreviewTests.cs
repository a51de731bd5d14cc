using System.Net;
using System.Net.Http.Json;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Metering.Contracts;
using Modular.Tenants.Contracts;
using static Modular.Metering.Tests.MeteringApi;

namespace Modular.Metering.Tests;

/// <summary>The current period's invoice preview: usage from the rollups, priced by the tenant's plan.</summary>
public sealed class InvoicePreviewTests(PostgresServer postgres)
{
    private static readonly Dictionary<string, string?> ProPlan = new()
    {
        ["Metering:Plans:pro:Currency"] = "USD",
        ["Metering:Plans:pro:Charges:0:Meter"] = "api-calls",
        ["Metering:Plans:pro:Charges:0:Model"] = "Graduated",
        ["Metering:Plans:pro:Charges:0:Tiers:0:UpTo"] = "100",
        ["Metering:Plans:pro:Charges:0:Tiers:0:UnitPrice"] = "1",
        ["Metering:Plans:pro:Charges:0:Tiers:1:UnitPrice"] = "0.5",
        ["Metering:Plans:pro:Charges:1:Meter"] = "api-calls",
        ["Metering:Plans:pro:Charges:1:Model"] = "Package",
        ["Metering:Plans:pro:Charges:1:Amount"] = "10",
        ["Metering:Plans:pro:Charges:1:PackageSize"] = "100",
    };

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task The_preview_prices_this_periods_usage_by_the_tenants_plan(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres, ProPlan);
        var admin = host.CreateClientAs("operator", "tenants.manage");
        (await admin.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug = "acme", name = "Acme", plan = "pro" }, Ct)).EnsureSuccessStatusCode();
        await CreateTenantAsync(host, "globex"); // on the free plan, which has no prices
        await CreateMeterAsync(host, new { key = "api-calls", name = "API calls", eventType = "api.call", aggregation = "COUNT" });
        var client = Ingester(host, "acme");
        await SendOkAsync(client, Enumerable.Range(0, 150).Select(i => Event($"e-{i}")).ToArray(), BatchMediaType);

        var preview = (await client.GetFromJsonAsync<InvoicePreviewDto>(MeteringRoutes.InvoicePreview, Ct))!;
        Assert.Equal(("pro", "USD", 145m), (preview.Plan, preview.Currency, preview.Total));
        Assert.Equal([("Graduated", 150m, 125m), ("Package", 150m, 20m)], preview.Lines.Select(l => (l.Model, l.Quantity, l.Amount)));
        Assert.True(preview.PeriodStart <= DateTimeOffset.UtcNow && DateTimeOffset.UtcNow < preview.PeriodEnd);
        Assert.Equal(1, preview.PeriodStart.Day);

        await (await Ingester(host, "globex").GetAsync(MeteringRoutes.InvoicePreview, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await Member(host, "acme", MeteringPermissions.Ingest).GetAsync(MeteringRoutes.InvoicePreview, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
    }

    [Fact]
    public void A_malformed_price_list_stops_the_host_at_start_up()
    {
        var host = ModularHost.OnSqlite(new Dictionary<string, string?>
        {
            ["Metering:Plans:pro:Charges:0:Meter"] = "api-calls",
            ["Metering:Plans:pro:Charges:0:Model"] = "Graduated",
            ["Metering:Plans:pro:Charges:0:Tiers:0:UpTo"] = "100",
        });
        Assert.ThrowsAny<Exception>(() => host.CreateClient());
        host.Dispose();
    }
}
