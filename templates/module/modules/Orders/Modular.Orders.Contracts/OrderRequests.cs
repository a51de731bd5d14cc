using Mediator;

namespace Modular.Orders.Contracts;

/// <summary>Creates one Order. The sample feature of the module: replace it with your own.</summary>
public sealed record CreateOrder(string Name) : ICommand<OrderDto>;

public sealed record OrderDto(Guid Id, string Name, DateTimeOffset CreatedAt);
