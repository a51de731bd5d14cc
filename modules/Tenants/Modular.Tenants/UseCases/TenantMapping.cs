using Modular.Kernel.Auditing;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;
using Modular.Tenants.Domain;

namespace Modular.Tenants.UseCases;

internal static class TenantMapping
{
    public static TenantDto ToDto(this Tenant tenant) => new(
        tenant.Id, tenant.Slug, tenant.Name, tenant.Plan, tenant.Status.ToString(), tenant.CreatedAt,
        tenant.SuspendedAt, tenant.SuspensionReason, tenant.PurgeAfter, tenant.Metadata, tenant.Version);

    public static TenantInfo ToInfo(this Tenant tenant) => new(tenant.Id, tenant.Slug, tenant.Plan, tenant.IsSuspended);

    public static AuditEntryDto ToDto(this AuditEntry entry) => new(
        entry.Id, entry.Sequence, entry.OccurredAt, entry.Actor, entry.ActorAddress, entry.Action, entry.Target, entry.Data);

    public static string AuditTarget(this Tenant tenant) => $"tenant/{tenant.Id}";
}
