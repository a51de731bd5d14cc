using Mediator;

namespace Modular.Orders.Contracts;

/// <summary>Published (through the outbox) once an Order's creation has committed.</summary>
public sealed record OrderCreated(Guid OrderId, string Name, DateTimeOffset CreatedAt) : INotification;
