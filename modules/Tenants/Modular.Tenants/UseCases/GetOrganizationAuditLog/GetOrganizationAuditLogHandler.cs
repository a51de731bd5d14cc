using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Kernel.Auditing;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;

namespace Modular.Tenants.UseCases.GetOrganizationAuditLog;

/// <summary>
/// The current tenant's trail across modules, newest first. Every module's chain is read whole, because only a whole
/// chain can be checked; a page is then cut from the merged entries.
/// </summary>
public sealed class GetOrganizationAuditLogHandler(TenantAuditTrails trails, ITenantContext scope, IEnumerable<IAuditTargetNames> targetNames)
    : IQueryHandler<Contracts.GetOrganizationAuditLog, OrganizationAuditLog>
{
    public async ValueTask<OrganizationAuditLog> Handle(Contracts.GetOrganizationAuditLog query, CancellationToken cancellationToken)
    {
        var current = scope.Tenant ?? throw new NotFoundException("Tenant", "(none in scope)");
        var modules = await trails.ReadAsync(current.Id, cancellationToken);

        var all = modules.SelectMany(m => m.Entries.Select(e => new ModuleAuditEntryDto(m.Module, e.ToDto()))).ToList();
        var matching = all.Where(e => query.Action is null || e.Entry.Action == query.Action)
            .Where(e => query.Since is null || e.Entry.OccurredAt >= query.Since)
            .Where(e => string.IsNullOrWhiteSpace(query.Search) || Mentions(e.Entry, query.Search.Trim()))
            .OrderByDescending(e => e.Entry.OccurredAt).ThenByDescending(e => e.Entry.Id)
            .ToList();
        var page = matching.Skip((query.Page - 1) * query.PageSize).Take(query.PageSize).ToList();
        page = await NameTargetsAsync(page, cancellationToken);
        var actions = all.Select(e => e.Entry.Action).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var chains = modules.Where(m => m.Entries.Count > 0)
            .Select(m => new AuditChainDto(m.Module, m.Entries.Count, m.FirstBrokenSequence is null, m.FirstBrokenSequence))
            .ToList();
        return new OrganizationAuditLog(page, query.Page, query.PageSize, matching.Count, actions, chains);
    }

    private static bool Mentions(AuditEntryDto entry, string text) =>
        new[] { entry.Actor, entry.ActorAddress, entry.Target, entry.Data }.Any(field => field?.Contains(text, StringComparison.OrdinalIgnoreCase) == true);

    /// <summary>The page's targets named by the modules that know them (each asked once for the whole page).</summary>
    private async Task<List<ModuleAuditEntryDto>> NameTargetsAsync(List<ModuleAuditEntryDto> page, CancellationToken cancellationToken)
    {
        var targets = page.Select(e => e.Entry.Target).Distinct(StringComparer.Ordinal).ToList();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var module in targetNames)
        {
            foreach (var (target, name) in await module.NameAsync(targets, cancellationToken))
            {
                names[target] = name;
            }
        }

        return [.. page.Select(e => names.TryGetValue(e.Entry.Target, out var name) ? e with { TargetName = name } : e)];
    }
}

internal sealed class GetOrganizationAuditLogValidator : AbstractValidator<Contracts.GetOrganizationAuditLog>
{
    public const int MaxPageSize = 100;

    public GetOrganizationAuditLogValidator()
    {
        RuleFor(q => q.Page).InclusiveBetween(1, 1_000_000);
        RuleFor(q => q.PageSize).InclusiveBetween(1, MaxPageSize);
        RuleFor(q => q.Action).MaximumLength(100);
        RuleFor(q => q.Search).MaximumLength(100);
    }
}

internal static class GetOrganizationAuditLogEndpoint
{
    /// <summary>The same log the organization area shows, for a tenant's own tools: every module's entries, newest first.</summary>
    public static void MapGetOrganizationAuditLog(this IEndpointRouteBuilder tenant) =>
        tenant.MapGet("/audit-log", async (string? action, int? page, int? pageSize, string? search, DateTimeOffset? since, ISender sender,
                CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.GetOrganizationAuditLog(action, page ?? 1, pageSize ?? 25, search, since), cancellationToken)))
            .WithName("GetOrganizationAuditLog")
            .WithSummary("The caller's tenant's audit log across modules, newest first, with each module's chain checked")
            .ProducesValidationProblem()
            .RequirePermission(TenantsPermissions.AuditRead);
}
