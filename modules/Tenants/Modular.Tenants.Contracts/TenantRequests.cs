using Mediator;

namespace Modular.Tenants.Contracts;

/// <summary>Creates a tenant. <paramref name="Slug"/> is its unique, URL-safe key.</summary>
public sealed record CreateTenant(string Slug, string Name, string? Plan = null) : ICommand<TenantDto>;

public sealed record GetTenant(Guid Id) : IQuery<TenantDto>;

/// <summary>One page of tenants, newest first; <paramref name="Search"/> matches slug or name.</summary>
public sealed record ListTenants(int Page = 1, int PageSize = 20, string? Search = null) : IQuery<TenantPage>;

public sealed record TenantDto(Guid Id, string Slug, string Name, string Plan, string Status, DateTimeOffset CreatedAt);

public sealed record TenantPage(IReadOnlyList<TenantDto> Items, int Page, int PageSize, int Total);
