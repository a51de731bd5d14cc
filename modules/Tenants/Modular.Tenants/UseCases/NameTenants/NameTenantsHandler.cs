using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Modular.Tenants.Persistence;

namespace Modular.Tenants.UseCases.NameTenants;

/// <summary>The names of the tenants a page shows, in one query; ids of no tenant are left out.</summary>
public sealed class NameTenantsHandler(TenantsDbContext db) : IQueryHandler<Contracts.NameTenants, IReadOnlyDictionary<Guid, string>>
{
    public async ValueTask<IReadOnlyDictionary<Guid, string>> Handle(Contracts.NameTenants query, CancellationToken cancellationToken)
    {
        var ids = query.Ids.Distinct().ToList();
        return ids.Count == 0
            ? new Dictionary<Guid, string>()
            : await db.Tenants.AsNoTracking().Where(t => ids.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, cancellationToken);
    }
}

internal sealed class NameTenantsValidator : AbstractValidator<Contracts.NameTenants>
{
    public const int MaxIds = 1000;

    public NameTenantsValidator() => RuleFor(q => q.Ids).NotNull().Must(ids => ids.Count <= MaxIds).WithMessage($"At most {MaxIds} tenants at once.");
}
