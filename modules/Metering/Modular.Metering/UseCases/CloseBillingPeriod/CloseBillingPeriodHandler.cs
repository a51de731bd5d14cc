using System.Globalization;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using Modular.Metering.Configuration;
using Modular.Metering.Contracts;
using Modular.Metering.Domain;
using Modular.Metering.Persistence;

namespace Modular.Metering.UseCases.CloseBillingPeriod;

/// <summary>
/// Closes a period once. The statement is unique per (tenant, period start); on PostgreSQL a transaction
/// advisory lock per (tenant, period) makes a concurrent close wait and then find the first one's
/// statement, and a unique violation (SQLite, or any race the lock did not cover) is answered the same way.
/// Usage is read through <see cref="Contracts.QueryMeter"/>, like the invoice preview, so both agree.
/// </summary>
public sealed class CloseBillingPeriodHandler(ITenantContext scope, MeteringDbContext db, ISender sender, TimeProvider clock, IOptions<MeteringOptions> options)
    : ICommandHandler<Contracts.CloseBillingPeriod, StatementDto>
{
    public async ValueTask<StatementDto> Handle(Contracts.CloseBillingPeriod command, CancellationToken cancellationToken)
    {
        var tenant = scope.Tenant ?? throw new NotFoundException("Tenant", "(none in scope)");
        var now = clock.GetUtcNow();
        var zone = await db.BillingTimeZoneAsync(cancellationToken) ?? options.Value.BillingTimeZone;
        var period = command.Period is { } name
            ? BillingPeriod.Of(int.Parse(name[..4], CultureInfo.InvariantCulture), int.Parse(name[5..], CultureInfo.InvariantCulture), zone)
            : BillingPeriod.Previous(now, zone);
        if (period.End > now)
        {
            throw new ConflictException($"The period {period.Name} has not ended yet; it closes after {period.End:O}.");
        }

        if (await FindAsync(period, cancellationToken) is { } closed)
        {
            return closed.ToDto();
        }

        try
        {
            return await db.Database.InTransactionAsync(async cancellationToken =>
            {
                db.ChangeTracker.Clear(); // a replay (transient failure) prices afresh, without the failed attempt's statement
                if (db.Database.IsNpgsql())
                {
                    var lockKey = $"metering.statement:{tenant.Id}:{period.Start.UtcTicks}";
                    await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({lockKey}, 0))", cancellationToken);
                    if (await FindAsync(period, cancellationToken) is { } closedMeanwhile)
                    {
                        return closedMeanwhile.ToDto();
                    }
                }

                var statement = await PriceAsync(tenant, period, now, cancellationToken);
                db.Statements.Add(statement);
                await db.CommitAsync(cancellationToken);
                return statement.ToDto();
            }, cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another close of the same period committed first (the transaction is rolled back): its statement is the one.
            db.ChangeTracker.Clear();
            return (await FindAsync(period, cancellationToken) ?? throw new ConflictException($"The period {period.Name} could not be closed; try again.")).ToDto();
        }
    }

    /// <summary>
    /// The statement of exactly this period; a statement overlapping it in another time zone (the tenant
    /// changed zones after closing) is a conflict, since usage would be billed twice.
    /// </summary>
    private async Task<Statement?> FindAsync(BillingPeriod period, CancellationToken cancellationToken)
    {
        var overlapping = await db.Statements.AsNoTracking()
            .Where(s => s.PeriodStart < period.End && s.PeriodEnd > period.Start)
            .ToListAsync(cancellationToken);
        var same = overlapping.FirstOrDefault(s => s.PeriodStart == period.Start);
        if (same is null && overlapping.Count > 0)
        {
            throw new ConflictException($"A statement from {overlapping[0].PeriodStart:O} to {overlapping[0].PeriodEnd:O} ({overlapping[0].TimeZone}) overlaps {period.Name} in {period.TimeZone}.");
        }

        return same;
    }

    private async Task<Statement> PriceAsync(TenantInfo tenant, BillingPeriod period, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var plan = await db.Plans.AsNoTracking().FirstOrDefaultAsync(p => p.Key == tenant.Plan, cancellationToken)
            ?? throw new NotFoundException("Plan pricing", tenant.Plan);
        var lines = (await sender.PriceAsync(plan, period.Start, period.End, period.TimeZone, cancellationToken))
            .Select(c => new StatementLineDto(c.Meter, c.Model, c.Quantity, c.Price.Amount, c.Price.Currency)).ToList();

        return Statement.Close(tenant.Id, period, plan.Key, plan.Currency, lines, now);
    }
}

internal sealed class CloseBillingPeriodValidator : AbstractValidator<Contracts.CloseBillingPeriod>
{
    public CloseBillingPeriodValidator() =>
        RuleFor(c => c.Period!)
            .Must(p => DateTime.TryParseExact(p, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month) && month.Year >= 2000)
            .WithMessage("A calendar month, yyyy-MM (e.g. 2026-10).")
            .When(c => c.Period is not null);
}

/// <summary>What the body of POST /statements may carry.</summary>
internal sealed record CloseBillingPeriodBody(string? Period = null);

internal static class CloseBillingPeriodEndpoint
{
    public static void MapCloseBillingPeriod(this IEndpointRouteBuilder statements) =>
        statements.MapPost("/", async (CloseBillingPeriodBody? body, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.CloseBillingPeriod(body?.Period), cancellationToken)))
            .WithName("CloseBillingPeriod").WithSummary("Close a billing period of the caller's tenant (once; closing again returns the same statement)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(MeteringPermissions.Manage);
}
