using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Modular.Identity.Configuration;
using Modular.Identity.Connect;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Kernel.Tenancy;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Modular.Identity.Seeding;

/// <summary>
/// At start-up, makes the database agree with configuration: the platform roles, the seed admin
/// (created once; never overwritten), and every declared client (created, or updated to match).
/// Idempotent, so every instance may run it.
/// </summary>
internal sealed partial class IdentitySeeder(IServiceScopeFactory scopes, IOptions<IdentitySettings> settings, ILogger<IdentitySeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SeedAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Typically: the database is not migrated yet (production runs --migrate first).
            LogFailed(logger, e);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<Role>>();
        foreach (var name in settings.Value.RolePermissions.Keys.Append(IdentityRoles.PlatformAdmin).Distinct())
        {
            if (!await roles.RoleExistsAsync(name))
            {
                Check(await roles.CreateAsync(new Role { Name = name }), $"role {name}");
            }
        }

        if (settings.Value.SeedAdmin is { Email.Length: > 0, Password.Length: > 0 } admin)
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
            if (await users.FindByEmailAsync(admin.Email) is null)
            {
                var user = new User { UserName = admin.Email, Email = admin.Email, EmailConfirmed = true, DisplayName = "Platform admin", CreatedAt = DateTimeOffset.UtcNow };
                Check(await users.CreateAsync(user, admin.Password), "seed admin");
                Check(await users.AddToRoleAsync(user, IdentityRoles.PlatformAdmin), "seed admin role");
            }
        }

        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        foreach (var client in settings.Value.Clients)
        {
            var descriptor = Describe(client);
            if (await applications.FindByClientIdAsync(client.ClientId, cancellationToken) is { } existing)
            {
                await applications.UpdateAsync(existing, descriptor, cancellationToken);
            }
            else
            {
                await applications.CreateAsync(descriptor, cancellationToken);
            }
        }
    }

    private static OpenIddictApplicationDescriptor Describe(ClientSettings client)
    {
        var isPublic = string.Equals(client.Type, ClientTypes.Public, StringComparison.OrdinalIgnoreCase);
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = client.ClientId,
            ClientSecret = isPublic ? null : client.ClientSecret,
            ClientType = isPublic ? ClientTypes.Public : ClientTypes.Confidential,
            DisplayName = client.DisplayName ?? client.ClientId,
            ConsentType = client.FirstParty ? ConsentTypes.Implicit : ConsentTypes.Explicit,
        };
        descriptor.RedirectUris.UnionWith(client.RedirectUris.Select(u => new Uri(u, UriKind.Absolute)));
        descriptor.PostLogoutRedirectUris.UnionWith(client.PostLogoutRedirectUris.Select(u => new Uri(u, UriKind.Absolute)));
        descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);

        foreach (var grant in client.GrantTypes.Select(g => g == "device_code" ? GrantTypes.DeviceCode : g))
        {
            descriptor.Permissions.Add(Permissions.Prefixes.GrantType + grant);
            switch (grant)
            {
                case GrantTypes.AuthorizationCode:
                    descriptor.Permissions.UnionWith([Permissions.Endpoints.Authorization, Permissions.Endpoints.EndSession, Permissions.ResponseTypes.Code]);
                    break;
                case GrantTypes.DeviceCode:
                    descriptor.Permissions.Add(Permissions.Endpoints.DeviceAuthorization);
                    break;
            }
        }

        descriptor.Permissions.UnionWith([Permissions.Endpoints.Token, Permissions.Endpoints.Revocation]);
        if (!isPublic)
        {
            descriptor.Permissions.Add(Permissions.Endpoints.Introspection);
        }

        descriptor.Permissions.UnionWith(client.Scopes.Where(s => s != Scopes.OpenId).Select(s => Permissions.Prefixes.Scope + s));
        if (client.Tenant is not null)
        {
            descriptor.Properties[ClientProperties.Tenant] = ClientProperties.ToJson(client.Tenant);
        }

        descriptor.Properties[ClientProperties.Permissions] = ClientProperties.ToJson(client.Permissions);
        return descriptor;
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Seeding {what} failed: {string.Join("; ", result.Errors.Select(e => e.Description))}");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Identity seeding failed; it runs again at the next start")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
