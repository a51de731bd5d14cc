using System.Globalization;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Modular.Tenants.Configuration;
using Modular.Tenants.Contracts;
using Modular.Tenants.Domain;
using Modular.Tenants.Persistence;

namespace Modular.Tenants.UseCases.CheckTenantSlug;

/// <summary>
/// Whether a slug can be taken, and a free one close to it. Deleted tenants' slugs count as taken (their tombstones
/// keep them), as do those of sign-ups waiting for activation. It answers only what a form needs: no tenant's name,
/// status or id.
/// </summary>
public sealed class CheckTenantSlugHandler(TenantsDbContext db, IOptions<TenantsOptions> options)
    : IQueryHandler<Contracts.CheckTenantSlug, SlugAvailability>
{
    private const int Variants = 20;

    public async ValueTask<SlugAvailability> Handle(Contracts.CheckTenantSlug query, CancellationToken cancellationToken)
    {
        var slug = string.IsNullOrWhiteSpace(query.Slug) ? TenantRules.SlugFrom(query.Name ?? "") : query.Slug.Trim();
        if (!TenantRules.IsValidSlug(slug))
        {
            return new SlugAvailability(slug, false, "invalid", null);
        }

        // One query for the slug and its numbered variants (acme, acme-2 … acme-21).
        var stem = slug.Length > Tenant.SlugMaxLength - 3 ? slug[..(Tenant.SlugMaxLength - 3)].TrimEnd('-') : slug;
        var candidates = new[] { slug }.Concat(Enumerable.Range(2, Variants).Select(n => $"{stem}-{n.ToString(CultureInfo.InvariantCulture)}")).ToList();
        var taken = await db.Tenants.AsNoTracking().Where(t => candidates.Contains(t.Slug)).Select(t => t.Slug).ToListAsync(cancellationToken);
        var suggestion = candidates.FirstOrDefault(c => !taken.Contains(c) && !options.Value.IsReserved(c));
        var reason = options.Value.IsReserved(slug) ? "reserved" : taken.Contains(slug) ? "taken" : null;
        return new SlugAvailability(slug, reason is null, reason, suggestion);
    }
}

internal sealed class CheckTenantSlugValidator : AbstractValidator<Contracts.CheckTenantSlug>
{
    public CheckTenantSlugValidator()
    {
        RuleFor(q => q.Slug).MaximumLength(Tenant.SlugMaxLength);
        RuleFor(q => q.Name).MaximumLength(Tenant.NameMaxLength);
        RuleFor(q => q).Must(q => !string.IsNullOrWhiteSpace(q.Slug) || !string.IsNullOrWhiteSpace(q.Name))
            .WithName("slug").WithMessage("Give a slug, or a name to make one from.");
    }
}

internal static class CheckTenantSlugEndpoint
{
    /// <summary>Anonymous, for sign-up forms; the host's per-address rate limit applies.</summary>
    public static void MapCheckTenantSlug(this IEndpointRouteBuilder api) =>
        api.MapGet(TenantsRoutes.SlugAvailability, async (string? slug, string? name, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.CheckTenantSlug(slug, name), cancellationToken)))
            .WithTags("Tenants")
            .WithName("CheckTenantSlug")
            .WithSummary("Whether a tenant slug is free, with a free one close to it")
            .ProducesValidationProblem()
            .AllowAnonymous();
}
