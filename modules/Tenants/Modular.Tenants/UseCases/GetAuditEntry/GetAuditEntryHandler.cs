using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Tenants.Contracts;
using Modular.Tenants.Domain;
using Modular.Tenants.Persistence;

namespace Modular.Tenants.UseCases.GetAuditEntry;

/// <summary>One audit entry by id. Another tenant's entry is simply not found: the tenant filter hides it.</summary>
public sealed class GetAuditEntryHandler(TenantsDbContext db) : IQueryHandler<Contracts.GetAuditEntry, AuditEntryDto>
{
    public async ValueTask<AuditEntryDto> Handle(Contracts.GetAuditEntry query, CancellationToken cancellationToken)
    {
        var entry = await db.AuditEntries.AsNoTracking().FirstOrDefaultAsync(e => e.Id == query.EntryId, cancellationToken)
            ?? throw new NotFoundException("Audit entry", query.EntryId);
        return entry.ToDto();
    }
}

internal static class GetAuditEntryEndpoint
{
    public static void MapGetAuditEntry(this IEndpointRouteBuilder tenant) =>
        tenant.MapGet("/audit/{id:guid}", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.GetAuditEntry(id), cancellationToken)))
            .WithName("GetAuditEntry")
            .WithSummary("One entry of the caller's tenant's audit trail")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(TenantsPermissions.AuditRead);
}
