using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Kernel.Security;
using Modular.Orders.Contracts;
using Modular.Orders.Domain;
using Modular.Orders.Persistence;

namespace Modular.Orders.UseCases.CreateOrder;

public sealed class CreateOrderHandler(OrdersDbContext db, TimeProvider clock) : ICommandHandler<Contracts.CreateOrder, OrderDto>
{
    public ValueTask<OrderDto> Handle(Contracts.CreateOrder command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var entity = Order.Create(command.Name, now);
        db.Orders.Add(entity);
        db.Publish(new OrderCreated(entity.Id, entity.Name, now), now);
        return ValueTask.FromResult(new OrderDto(entity.Id, entity.Name, entity.CreatedAt));
    }
}

internal sealed class CreateOrderValidator : AbstractValidator<Contracts.CreateOrder>
{
    public CreateOrderValidator()
    {
        RuleFor(c => c.Name).NotEmpty().MaximumLength(Order.NameMaxLength);
    }
}

internal static class CreateOrderEndpoint
{
    public static void MapCreateOrder(this IEndpointRouteBuilder group) =>
        group.MapPost("/", async (Contracts.CreateOrder command, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Created((string?)null, await sender.Send(command, cancellationToken)))
            .WithName("CreateOrder")
            .WithSummary("Create one Order")
            .ProducesValidationProblem()
            .RequirePermission(OrdersPermissions.Manage);
}
