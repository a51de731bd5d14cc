using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Configuration;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Memberships;
using Modular.Identity.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Cluster;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.CreateTenantApiKey;

public sealed class CreateTenantApiKeyHandler(
    IdentityDbContext db, IOpenIddictApplicationManager applications, ITenantContext scope, GrantCheck check, RoleGrants grants, ICaller caller,
    ClusterCache cache, TimeProvider clock)
    : ICommandHandler<Contracts.CreateTenantApiKey, TenantApiKeyWithSecret>
{
    public async ValueTask<TenantApiKeyWithSecret> Handle(Contracts.CreateTenantApiKey command, CancellationToken cancellationToken)
    {
        var tenantId = scope.CurrentTenantId();
        IReadOnlyList<string> permissions = command.Permissions ?? [], roles = command.Roles ?? [];
        await check.EnsureMayHandOutAsync(grants, tenantId, permissions, roles, cancellationToken);

        var now = clock.GetUtcNow();
        var key = TenantApiKey.Create(tenantId, TenantApiKeys.NewClientId(), command.Name, caller.Actor, now);
        var secret = Clients.ClientRegistration.NewSecret();
        var client = TenantApiKeys.Describe(key.ClientId, key.Name, tenantId, permissions, roles, secret);
        // Tracked first, so OpenIddict's save of the client commits the row and the audit entry with it.
        db.TenantApiKeys.Add(key);
        db.Audit(tenantId, caller, "api-key.created", $"api-key:{key.ClientId}", new { name = key.Name, permissions, roles }, now);
        await applications.CreateAsync(client, cancellationToken);
        await MembershipDirectory.ForgetClientAsync(cache, key.ClientId, cancellationToken);
        return new TenantApiKeyWithSecret(key.ToDto(client), secret);
    }
}

internal sealed class CreateTenantApiKeyValidator : AbstractValidator<Contracts.CreateTenantApiKey>
{
    public CreateTenantApiKeyValidator()
    {
        RuleFor(c => c.Name).KeyName();
        this.Holdings(c => c.Permissions, TenantRole.MaxPermissions, 100);
        this.Holdings(c => c.Roles, TenantRole.MaxRolesPerMember, TenantRole.NameMaxLength);
    }
}

internal static class CreateTenantApiKeyEndpoint
{
    public static void MapCreateTenantApiKey(this IEndpointRouteBuilder apiKeys) =>
        apiKeys.MapPost("/", async (Contracts.CreateTenantApiKey body, ISender sender, CancellationToken cancellationToken) =>
            {
                var created = await sender.Send(body, cancellationToken);
                return TypedResults.Created(IdentityRoutes.TenantApiKey(created.Key.ClientId), created);
            })
            .WithName("CreateTenantApiKey").WithSummary("Make a client-credentials key for the caller's tenant; its secret is in this response only")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden);
}
