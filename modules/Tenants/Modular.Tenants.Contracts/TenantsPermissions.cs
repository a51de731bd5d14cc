namespace Modular.Tenants.Contracts;

public static class TenantsPermissions
{
    public const string Read = "tenants.read";
    public const string Manage = "tenants.manage";
}
