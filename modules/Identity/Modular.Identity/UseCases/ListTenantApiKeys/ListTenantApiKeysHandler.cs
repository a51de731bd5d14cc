using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Identity.Clients;
using Modular.Identity.Contracts;
using Modular.Identity.Persistence;
using Modular.Kernel.Tenancy;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.ListTenantApiKeys;

public sealed class ListTenantApiKeysHandler(IdentityDbContext db, IOpenIddictApplicationManager applications, ITenantContext scope)
    : IQueryHandler<Contracts.ListTenantApiKeys, TenantApiKeyPage>
{
    public async ValueTask<TenantApiKeyPage> Handle(Contracts.ListTenantApiKeys query, CancellationToken cancellationToken)
    {
        var tenantId = scope.CurrentTenantId();
        var keys = db.TenantApiKeys.AsNoTracking().Where(k => k.TenantId == tenantId);
        var total = await keys.CountAsync(cancellationToken);
        var page = await keys.OrderBy(k => k.CreatedAt).ThenBy(k => k.Id)
            .Skip((query.Page - 1) * query.PageSize).Take(query.PageSize).ToListAsync(cancellationToken);

        var items = new List<TenantApiKeyDto>(page.Count);
        foreach (var key in page)
        {
            // The client holds what the key holds (one place for it); a row whose client an operator deleted is not shown.
            if (await applications.FindByClientIdAsync(key.ClientId, cancellationToken) is { } application)
            {
                items.Add(key.ToDto(await applications.DescribeAsync(application, cancellationToken)));
            }
        }

        return new TenantApiKeyPage(items, query.Page, query.PageSize, total);
    }
}

internal sealed class ListTenantApiKeysValidator : AbstractValidator<Contracts.ListTenantApiKeys>
{
    public ListTenantApiKeysValidator()
    {
        RuleFor(q => q.Page).InclusiveBetween(1, 1_000_000);
        RuleFor(q => q.PageSize).InclusiveBetween(1, 100);
    }
}

internal static class ListTenantApiKeysEndpoint
{
    public static void MapListTenantApiKeys(this IEndpointRouteBuilder apiKeys) =>
        apiKeys.MapGet("/", async (ISender sender, CancellationToken cancellationToken, int page = 1, int pageSize = 20) =>
                TypedResults.Ok(await sender.Send(new Contracts.ListTenantApiKeys(page, pageSize), cancellationToken)))
            .WithName("ListTenantApiKeys").WithSummary("The caller's tenant's API keys, oldest first, with when each was last used; never a secret")
            .ProducesValidationProblem();
}
