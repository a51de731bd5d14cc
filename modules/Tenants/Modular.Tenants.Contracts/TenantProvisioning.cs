namespace Modular.Tenants.Contracts;

/// <summary>
/// A module's part in creating a tenant (default settings, a first admin, a quota). Register
/// implementations in DI; <see cref="CreateTenant"/> runs them in registration order before the tenant
/// is committed. If one fails, the ones already run are undone in reverse order and no tenant exists.
/// </summary>
public interface ITenantProvisioningStep
{
    Task ProvisionAsync(NewTenant tenant, CancellationToken cancellationToken);

    /// <summary>Undo <see cref="ProvisionAsync"/>; must tolerate a half-done provision.</summary>
    Task UndoAsync(NewTenant tenant, CancellationToken cancellationToken);
}

public sealed record NewTenant(Guid Id, string Slug, string Name, string Plan);
