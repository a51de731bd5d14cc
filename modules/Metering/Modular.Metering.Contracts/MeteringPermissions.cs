namespace Modular.Metering.Contracts;

public static class MeteringPermissions
{
    /// <summary>Read usage: meter queries, the caller's tenant's usage, quotas, invoice preview and statements.</summary>
    public const string Read = "metering.read";

    /// <summary>Define meters (platform operators).</summary>
    public const string Manage = "metering.manage";

    /// <summary>Change the caller's tenant's billing profile (its billing time zone): a tenant's admins hold it.</summary>
    public const string BillingManage = "metering.billing.manage";

    /// <summary>Send usage events for the caller's tenant.</summary>
    public const string Ingest = "metering.ingest";
}
