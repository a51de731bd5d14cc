using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Configuration;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.UpdateTenantApiKey;

public sealed class UpdateTenantApiKeyHandler(
    IdentityDbContext db, IOpenIddictApplicationManager applications, ITenantContext scope, GrantCheck check, RoleGrants grants, ICaller caller, TimeProvider clock)
    : ICommandHandler<Contracts.UpdateTenantApiKey, TenantApiKeyDto>
{
    public async ValueTask<TenantApiKeyDto> Handle(Contracts.UpdateTenantApiKey command, CancellationToken cancellationToken)
    {
        var tenantId = scope.CurrentTenantId();
        var (key, application, client) = await db.GetApiKeyAsync(applications, tenantId, command.ClientId, cancellationToken);
        IReadOnlyList<string> permissions = command.Permissions ?? [], roles = command.Roles ?? [];
        await check.EnsureMayHandOutAsync(grants, tenantId, permissions, roles, cancellationToken);
        await check.EnsureMayHandOutAsync(grants, tenantId, client, cancellationToken); // whoever rewrites a key takes it over

        key.Rename(command.Name);
        TenantApiKeys.SetHoldings(client, command.Name, permissions, roles);
        db.Audit(tenantId, caller, "api-key.changed", $"api-key:{key.ClientId}", new { name = key.Name, permissions, roles }, clock.GetUtcNow());
        await applications.UpdateAsync(application, client, cancellationToken); // commits the row and the audit entry with it
        return key.ToDto(client);
    }
}

internal sealed class UpdateTenantApiKeyValidator : AbstractValidator<Contracts.UpdateTenantApiKey>
{
    public UpdateTenantApiKeyValidator()
    {
        RuleFor(c => c.Name).KeyName();
        this.Holdings(c => c.Permissions, TenantRole.MaxPermissions, 100);
        this.Holdings(c => c.Roles, TenantRole.MaxRolesPerMember, TenantRole.NameMaxLength);
    }
}

internal static class UpdateTenantApiKeyEndpoint
{
    public static void MapUpdateTenantApiKey(this IEndpointRouteBuilder apiKeys) =>
        apiKeys.MapPut("/{clientId}", async (string clientId, Contracts.UpdateTenantApiKey body, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(body with { ClientId = clientId }, cancellationToken)))
            .WithName("UpdateTenantApiKey").WithSummary("Rename a key or change its permissions and roles; its next token holds the new ones")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
}
