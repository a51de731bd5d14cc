using System.Net;
using System.Net.Http.Json;
using Modular.Tenants.Contracts;

namespace Modular.Admin.Tests;

/// <summary>The console with two tenants, created beforehand through the public API.</summary>
public sealed class TenantsSeeded : AdminConsoleFixture
{
    public static readonly (string Slug, string Name)[] Tenants = [("acme", "Acme Corp"), ("globex", "Globex")];

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        if (!File.Exists(ChromiumPath))
        {
            return;
        }

        using var api = Host.CreateClientAs("seed", "tenants.manage", "tenants.read");
        foreach (var (slug, name) in Tenants)
        {
            using var response = await api.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug, name });
            if (response.StatusCode != HttpStatusCode.Created)
            {
                throw new InvalidOperationException($"Creating tenant '{slug}' answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }
    }
}
