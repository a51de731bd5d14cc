using FluentValidation;
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

namespace Modular.Identity.UseCases.AddSsoDomain;

/// <summary>Claims a domain for a connection, pending until it is verified.</summary>
public sealed class AddSsoDomainHandler(IdentityDbContext db, ITenantContext scope, SsoConnections connections, SsoDirectory directory, ICaller caller, TimeProvider clock)
    : ICommandHandler<Contracts.AddSsoDomain, SsoDomainDto>
{
    public const int MaxDomainsPerConnection = 20;

    public async ValueTask<SsoDomainDto> Handle(Contracts.AddSsoDomain command, CancellationToken cancellationToken)
    {
        var tenantId = scope.CurrentTenantId();
        var connection = await connections.FindAsync(command.ConnectionId, cancellationToken);
        var domain = SsoDomain.Normalize(command.Domain)!;
        var claimed = await db.SsoDomains.Where(d => d.ConnectionId == connection.Id).Select(d => d.Domain).ToListAsync(cancellationToken);
        if (claimed.Contains(domain))
        {
            throw Invalid("The connection claims this domain already.");
        }

        if (claimed.Count >= MaxDomainsPerConnection)
        {
            throw Invalid($"A connection claims at most {MaxDomainsPerConnection} domains.");
        }

        if (await directory.IsVerifiedByAnotherTenantAsync(domain, tenantId, cancellationToken))
        {
            throw Invalid("Another organisation has verified this domain.");
        }

        var now = clock.GetUtcNow();
        var added = SsoDomain.Claim(tenantId, connection.Id, domain, now);
        db.SsoDomains.Add(added);
        db.Audit(tenantId, caller, "sso.domain.claimed", $"sso:{connection.Id}", new { domain }, now);
        return SsoConnections.ToDto(added);
    }

    private static RequestValidationException Invalid(string message) => new(new Dictionary<string, string[]> { ["domain"] = [message] });
}

internal sealed class AddSsoDomainValidator : AbstractValidator<Contracts.AddSsoDomain>
{
    public AddSsoDomainValidator() =>
        RuleFor(c => c.Domain).Must(d => SsoDomain.Normalize(d) is not null).WithMessage("Give a domain name, e.g. acme.example.");
}

internal static class AddSsoDomainEndpoint
{
    public static void MapAddSsoDomain(this IEndpointRouteBuilder sso) =>
        sso.MapPost("/{id:guid}/domains", async (Guid id, DomainBody body, ISender sender, CancellationToken cancellationToken) =>
            {
                var added = await sender.Send(new Contracts.AddSsoDomain(id, body.Domain ?? ""), cancellationToken);
                return TypedResults.Created(IdentityRoutes.SsoDomain(id, added.Id), added);
            })
            .WithName("AddSsoDomain").WithSummary("Claim an email domain for a connection; it routes sign-ins once verified (DNS TXT record, or an operator)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

    internal sealed record DomainBody(string? Domain);
}
