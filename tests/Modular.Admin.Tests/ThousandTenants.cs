using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;

namespace Modular.Admin.Tests;

/// <summary>
/// The console with 1,000 tenants, <c>tenant-0000</c> ("Tenant 0000") to <c>tenant-0999</c>, created
/// through the host's own pipeline (validation, provisioning, audit, outbox) in a platform scope.
/// </summary>
public sealed class ThousandTenants : AdminConsoleFixture
{
    public const int Count = 1_000;

    public static string Slug(int i) => $"tenant-{i:D4}";

    public static string Name(int i) => $"Tenant {i:D4}";

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        if (!File.Exists(ChromiumPath))
        {
            return;
        }

        // One at a time: ~10 ms each. SQLite has one writer, and concurrent creates (through the API or
        // here) wait on its lock: 20 at a time took 35 s, 2 at a time 80 s, against 10 s in sequence.
        for (var i = 0; i < Count; i++)
        {
            await using var scope = Host.Services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
            await scope.ServiceProvider.GetRequiredService<ISender>().Send(new CreateTenant(Slug(i), Name(i)), TestContext.Current.CancellationToken);
        }
    }
}
