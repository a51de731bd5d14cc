using System.Net.Http.Json;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Modular.Features.Contracts;
using Modular.Features.Persistence;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;
using Modular.Tenants.Persistence;

namespace Modular.Host.Tests;

/// <summary>The unit of work across modules (ADR 0001): a command commits its own module's data, and its events leave at once.</summary>
public sealed class UnitOfWorkTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task An_event_a_handler_commits_early_is_published_at_once_not_at_the_next_poll(DatabaseProvider provider)
    {
        // Creating a tenant commits inside its handler (to learn of a taken slug before it answers).
        await using var host = await ModularHost.StartAsync(provider, postgres, new Dictionary<string, string?> { ["Outbox:PollInterval"] = "01:00:00" });
        var operatorClient = host.CreateClientAs("operator", TenantsPermissions.Manage, TenantsPermissions.Read);

        (await operatorClient.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug = "acme", name = "Acme" }, Ct)).EnsureSuccessStatusCode();

        await Eventually.HoldsAsync(async () =>
        {
            await using var scope = host.Services.CreateAsyncScope();
            var outbox = await scope.ServiceProvider.GetRequiredService<TenantsDbContext>().OutboxMessages.AsNoTracking().ToListAsync(Ct);
            return outbox.Any(m => m.Type.Contains(nameof(TenantCreated), StringComparison.Ordinal) && m.ProcessedAt is not null);
        }, "TenantCreated published without waiting for the hourly poll");
    }

    [Fact]
    public async Task A_command_that_leaves_another_modules_data_changed_fails_and_saves_nothing()
    {
        await using var host = ModularHost.OnSqlite();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
            scope.ServiceProvider.GetRequiredService<IdentityDbContext>().Users.Add(
                new User { UserName = "stray@example.com", Email = "stray@example.com", DisplayName = "Stray", CreatedAt = DateTimeOffset.UtcNow });

            var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
                await scope.ServiceProvider.GetRequiredService<ISender>().Send(new CreateFlag("stray-flag"), Ct));
            Assert.Contains(nameof(IdentityDbContext), error.Message, StringComparison.Ordinal);
        }

        await using var check = host.Services.CreateAsyncScope();
        Assert.False(await check.ServiceProvider.GetRequiredService<FeaturesDbContext>().Flags.AnyAsync(f => f.Key == "stray-flag", Ct));
        Assert.False(await check.ServiceProvider.GetRequiredService<IdentityDbContext>().Users.AnyAsync(u => u.UserName == "stray@example.com", Ct));
    }
}
