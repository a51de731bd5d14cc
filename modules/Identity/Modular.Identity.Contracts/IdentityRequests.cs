using Mediator;

namespace Modular.Identity.Contracts;

/// <summary>How many users belong to a tenant (the caller's scope must allow reading that tenant).</summary>
public sealed record CountTenantMembers(Guid TenantId) : IQuery<int>;
