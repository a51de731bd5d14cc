namespace Modular.Metering.Contracts;

public static class MeteringPermissions
{
    /// <summary>Read usage: meter queries and the event debugger.</summary>
    public const string Read = "metering.read";

    /// <summary>Define meters (platform operators).</summary>
    public const string Manage = "metering.manage";

    /// <summary>Send usage events for the caller's tenant.</summary>
    public const string Ingest = "metering.ingest";
}
