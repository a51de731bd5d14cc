using System.Net;
using System.Net.Http.Json;
using Modular.Tenants.Contracts;

namespace Modular.Admin.Tests;

/// <summary>
/// The tenants API, as a client holding <c>tenants.read</c> and <c>tenants.manage</c> sees it: what the
/// browser tests set up with and check the console against.
/// </summary>
public sealed class TenantsApi(AdminConsoleFixture console, string actor = "seed") : IDisposable
{
    private readonly HttpClient _client = console.Host.CreateClientAs(actor, TenantsPermissions.Read, TenantsPermissions.Manage);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async Task<TenantDto> CreateAsync(string slug, string name, string? plan = null)
    {
        using var response = await _client.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug, name, plan }, Cancellation);
        return await ReadAsync<TenantDto>(response, HttpStatusCode.Created);
    }

    public async Task<TenantDto> SuspendAsync(Guid id, string reason)
    {
        using var response = await _client.PostAsJsonAsync(TenantsRoutes.Suspend(id), new { reason }, Cancellation);
        return await ReadAsync<TenantDto>(response, HttpStatusCode.OK);
    }

    public async Task<TenantDto> RenameAsync(Guid id, string name)
    {
        using var response = await _client.PatchAsJsonAsync(TenantsRoutes.Tenant(id), new { name }, Cancellation);
        return await ReadAsync<TenantDto>(response, HttpStatusCode.OK);
    }

    public async Task<TenantDto> GetAsync(Guid id)
    {
        using var response = await _client.GetAsync(TenantsRoutes.Tenant(id), Cancellation);
        return await ReadAsync<TenantDto>(response, HttpStatusCode.OK);
    }

    public async Task<AuditTrailDto> AuditAsync(Guid id)
    {
        using var response = await _client.GetAsync(TenantsRoutes.AuditTrail(id), Cancellation);
        return await ReadAsync<AuditTrailDto>(response, HttpStatusCode.OK);
    }

    public async Task<TenantPage> ListAsync(int page = 1, int pageSize = 20, string? search = null, string? status = null)
    {
        var query = $"{TenantsRoutes.Tenants}?page={page}&pageSize={pageSize}";
        query += search is null ? "" : "&search=" + Uri.EscapeDataString(search);
        query += status is null ? "" : "&status=" + Uri.EscapeDataString(status);
        using var response = await _client.GetAsync(query, Cancellation);
        return await ReadAsync<TenantPage>(response, HttpStatusCode.OK);
    }

    /// <summary>How many tenants there are, in any status.</summary>
    public async Task<int> TotalAsync() => (await ListAsync(pageSize: 1)).Total;

    /// <summary>The one tenant with this slug.</summary>
    public async Task<TenantDto> FindAsync(string slug) =>
        Assert.Single((await ListAsync(search: slug, pageSize: 100)).Items, t => t.Slug == slug);

    public void Dispose() => _client.Dispose();

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            Assert.Fail($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery} answered {(int)response.StatusCode}, not {(int)expected}: {await response.Content.ReadAsStringAsync(Cancellation)}");
        }

        return (await response.Content.ReadFromJsonAsync<T>(Cancellation))!;
    }
}
