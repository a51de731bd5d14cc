using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Modular.Identity.Clients;
using Modular.Identity.Configuration;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Kernel.Tenancy;
using OpenIddict.Abstractions;

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
            if (await applications.FindByClientIdAsync(client.ClientId, cancellationToken) is { } existing)
            {
                // An operator may have disabled it in the console: configuration does not turn it back on.
                var current = await applications.DescribeAsync(existing, cancellationToken);
                await applications.UpdateAsync(existing, ClientRegistration.Describe(client, client.ClientSecret, ClientRegistration.IsDisabled(current)), cancellationToken);
            }
            else
            {
                await applications.CreateAsync(ClientRegistration.Describe(client, client.ClientSecret, disabled: false), cancellationToken);
            }
        }
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
