namespace Modular.Orders.Contracts;

public static class OrdersPermissions
{
    public const string Read = "orders.read";
    public const string Manage = "orders.manage";
}
