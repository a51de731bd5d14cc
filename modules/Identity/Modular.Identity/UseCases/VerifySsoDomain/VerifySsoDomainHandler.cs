using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Federation;
using Modular.Identity.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;

namespace Modular.Identity.UseCases.VerifySsoDomain;

/// <summary>Verifies a domain by its DNS TXT record.</summary>
public sealed class VerifySsoDomainHandler(
    IdentityDbContext db, ITenantContext scope, SsoConnections connections, IDomainOwnershipVerifier dns, ICaller caller, TimeProvider clock)
    : ICommandHandler<Contracts.VerifySsoDomain, SsoDomainDto>
{
    public async ValueTask<SsoDomainDto> Handle(Contracts.VerifySsoDomain command, CancellationToken cancellationToken)
    {
        var domain = await connections.FindDomainAsync(command.ConnectionId, command.DomainId, cancellationToken);
        if (!domain.IsVerified)
        {
            if (!await dns.HasRecordAsync(domain.RecordName, domain.RecordValue, cancellationToken))
            {
                throw new RequestValidationException(new Dictionary<string, string[]>
                {
                    ["domain"] = [$"No TXT record {domain.RecordName} with the value {domain.RecordValue} was found. DNS changes can take a while to appear."],
                });
            }

            await SsoDomainVerification.VerifyAsync(db, scope.CurrentTenantId(), domain, "dns", caller, clock.GetUtcNow(), cancellationToken);
        }

        return SsoConnections.ToDto(domain);
    }
}

/// <summary>Marks a domain verified; if another tenant verified it first, the unique index says so and this one stays pending.</summary>
internal static class SsoDomainVerification
{
    public static async Task VerifyAsync(IdentityDbContext db, Guid tenantId, SsoDomain domain, string by, ICaller caller, DateTimeOffset now, CancellationToken cancellationToken)
    {
        domain.Verify(by, now);
        db.Audit(tenantId, caller, "sso.domain.verified", $"sso:{domain.ConnectionId}", new { domain.Domain, by }, now);
        try
        {
            await db.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            throw new ConflictException("Another organisation has verified this domain.");
        }
    }
}

internal static class VerifySsoDomainEndpoint
{
    public static void MapVerifySsoDomain(this IEndpointRouteBuilder sso) =>
        sso.MapPost("/{id:guid}/domains/{domainId:guid}/verify", async (Guid id, Guid domainId, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.VerifySsoDomain(id, domainId), cancellationToken)))
            .WithName("VerifySsoDomain").WithSummary("Check the domain's DNS TXT record and verify the claim")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
}
