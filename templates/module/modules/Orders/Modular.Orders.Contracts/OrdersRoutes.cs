namespace Modular.Orders.Contracts;

/// <summary>The module's paths, written once: its endpoints map them, tests and console links build them.</summary>
public static class OrdersRoutes
{
    public const string Orders = "/api/v1/orders";
}
