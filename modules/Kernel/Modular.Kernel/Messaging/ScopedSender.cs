using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Auditing;
using Modular.Kernel.Tenancy;

namespace Modular.Kernel.Messaging;

/// <summary>
/// The mediator for callers that outlive an operation — the admin console's Blazor circuit, which lives as
/// long as the browser tab. Each send runs in a DI scope of its own, so its DbContexts see the database as
/// it is now and are gone when it returns: a change that failed is not left tracked for the next command to
/// save, and an entity read an hour ago is not served again from the circuit's change tracker. Into that
/// scope it carries what the circuit established: whose data it works on (<see cref="TenantScope"/>) and
/// who is acting (<see cref="CallerScope"/>), for the audit trail and permission checks.
/// </summary>
public sealed class ScopedSender(IServiceScopeFactory scopes, TenantScope circuitTenant, CallerScope circuitCaller)
{
    public ValueTask<TResponse> Send<TResponse>(ICommand<TResponse> command, CancellationToken cancellationToken = default) =>
        SendInOwnScopeAsync(tenant: null, (sender, ct) => sender.Send(command, ct), cancellationToken);

    public ValueTask<TResponse> Send<TResponse>(IQuery<TResponse> query, CancellationToken cancellationToken = default) =>
        SendInOwnScopeAsync(tenant: null, (sender, ct) => sender.Send(query, ct), cancellationToken);

    /// <summary>
    /// Sends <paramref name="query"/> in <paramref name="tenant"/>'s scope instead of the circuit's: a platform
    /// page reading one tenant's data through handlers (and row-level security) that see only the tenant in scope.
    /// </summary>
    public ValueTask<TResponse> SendForTenant<TResponse>(TenantInfo tenant, IQuery<TResponse> query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return SendInOwnScopeAsync(tenant, (sender, ct) => sender.Send(query, ct), cancellationToken);
    }

    private async ValueTask<TResponse> SendInOwnScopeAsync<TResponse>(
        TenantInfo? tenant, Func<ISender, CancellationToken, ValueTask<TResponse>> send, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;

        var tenantScope = services.GetRequiredService<TenantScope>();
        if ((tenant ?? circuitTenant.Tenant) is { } entered)
        {
            tenantScope.Enter(entered);
        }
        else if (circuitTenant.IsAllTenants)
        {
            tenantScope.EnterAllTenants();
        }

        var caller = services.GetRequiredService<CallerScope>();
        caller.User = circuitCaller.User;
        caller.Address = circuitCaller.Address;

        return await send(services.GetRequiredService<ISender>(), cancellationToken);
    }
}
