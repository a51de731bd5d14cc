using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Features.Contracts;
using Modular.Features.Domain;
using Modular.Features.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;

namespace Modular.Features.UseCases.CreateFlag;

public sealed class CreateFlagHandler(FeaturesDbContext db, ICaller caller, TimeProvider clock) : ICommandHandler<Contracts.CreateFlag, FlagDto>
{
    public async ValueTask<FlagDto> Handle(Contracts.CreateFlag command, CancellationToken cancellationToken)
    {
        if (await db.Flags.AnyAsync(f => f.Key == command.Key, cancellationToken))
        {
            throw new ConflictException($"A feature flag with key '{command.Key}' already exists.");
        }

        var now = clock.GetUtcNow();
        var flag = FeatureFlag.Create(command.Key, command.ToDefinition(), now);
        db.Flags.Add(flag);
        var created = flag.ToDto();
        db.Record(caller, "flag.created", flag.Key, null, null, created with { Overrides = [] }, command.Reason, now);
        return created;
    }
}

internal sealed class CreateFlagValidator : AbstractValidator<Contracts.CreateFlag>
{
    public CreateFlagValidator()
    {
        RuleFor(c => c.Key).FlagKey();
        RuleFor(c => c.Reason).Reason();
        Include(new FlagSpecValidator<Contracts.CreateFlag>());
    }
}

internal static class CreateFlagEndpoint
{
    public static void MapCreateFlag(this IEndpointRouteBuilder flags) =>
        flags.MapPost("/", async (Contracts.CreateFlag command, ISender sender, CancellationToken cancellationToken) =>
            {
                var flag = await sender.Send(command, cancellationToken);
                return TypedResults.Created(FeaturesRoutes.Flag(flag.Key), flag);
            })
            .WithName("CreateFlag")
            .WithSummary("Create a feature flag")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(FeaturesPermissions.Manage);
}
