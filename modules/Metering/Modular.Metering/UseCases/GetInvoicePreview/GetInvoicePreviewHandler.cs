using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using Modular.Metering.Configuration;
using Modular.Metering.Contracts;
using Modular.Metering.Domain;
using Modular.Metering.Persistence;

namespace Modular.Metering.UseCases.GetInvoicePreview;

/// <summary>
/// Prices the current period's usage by the tenant's plan. The plan key is the tenant's own (from the
/// scope, which the tenants module's directory filled); usage comes from the rollups through
/// <see cref="Contracts.QueryMeter"/>, so the preview and the usage queries agree.
/// </summary>
public sealed class GetInvoicePreviewHandler(ITenantContext scope, ISender sender, MeteringDbContext db, TimeProvider clock, IOptions<MeteringOptions> options)
    : IQueryHandler<Contracts.GetInvoicePreview, InvoicePreviewDto>
{
    public async ValueTask<InvoicePreviewDto> Handle(Contracts.GetInvoicePreview query, CancellationToken cancellationToken)
    {
        var tenant = scope.Tenant ?? throw new NotFoundException("Tenant", "(none in scope)");
        var settings = options.Value;
        var plan = await db.Plans.AsNoTracking().FirstOrDefaultAsync(p => p.Key == tenant.Plan, cancellationToken)
            ?? throw new NotFoundException("Plan pricing", tenant.Plan);

        var zone = await db.BillingTimeZoneAsync(cancellationToken) ?? settings.BillingTimeZone;
        var (start, end, _) = BillingPeriod.Containing(clock.GetUtcNow(), zone);

        var lines = (await sender.PriceAsync(plan, start, end, zone, cancellationToken))
            .Select(c => new InvoiceLineDto(c.Meter, c.Model, c.Quantity, c.Price.Amount)).ToList();

        return new InvoicePreviewDto(tenant.Plan, plan.Currency, start, end, lines, lines.Sum(l => l.Amount));
    }
}

internal static class GetInvoicePreviewEndpoint
{
    public static void MapGetInvoicePreview(this IEndpointRouteBuilder metering) =>
        metering.MapGet("/invoice-preview", async (ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.GetInvoicePreview(), cancellationToken)))
            .WithName("GetInvoicePreview")
            .WithSummary("The caller's tenant's usage and amount per meter for the current billing period")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(MeteringPermissions.Read);
}
