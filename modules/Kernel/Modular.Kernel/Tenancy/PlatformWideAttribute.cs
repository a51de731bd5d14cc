namespace Modular.Kernel.Tenancy;

/// <summary>
/// Marks an entity as the platform's rather than a tenant's, saying why (what the operator defines for everyone,
/// a person who may belong to many tenants). Every other entity a module declares must be <see cref="ITenantOwned"/>:
/// <see cref="Persistence.ModuleDbContext"/> refuses to build a model with an entity that is neither, so a new
/// entity cannot be global by oversight.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class PlatformWideAttribute(string reason) : Attribute
{
    public string Reason { get; } = reason;
}
