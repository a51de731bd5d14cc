using Mediator;

namespace Modular.Tenants.Contracts;

/// <summary>Published (through the outbox) once a tenant's creation has committed.</summary>
public sealed record TenantCreated(Guid TenantId, string Slug, string Name, string Plan, DateTimeOffset CreatedAt) : INotification;
