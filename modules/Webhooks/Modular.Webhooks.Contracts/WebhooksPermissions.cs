namespace Modular.Webhooks.Contracts;

public static class WebhooksPermissions
{
    /// <summary>See the tenant's endpoints, messages and attempts.</summary>
    public const string Read = "webhooks.read";

    /// <summary>Create, change, rotate and disable endpoints; send, resend and recover messages.</summary>
    public const string Manage = "webhooks.manage";
}
