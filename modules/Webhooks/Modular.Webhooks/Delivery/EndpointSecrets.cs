using Microsoft.AspNetCore.DataProtection;

namespace Modular.Webhooks.Delivery;

/// <summary>
/// Endpoint secrets at rest: encrypted with ASP.NET Core Data Protection (whose key ring the identity
/// module keeps in the database, so every host instance can read them). A database dump alone does
/// not reveal them.
/// </summary>
public sealed class EndpointSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Modular.Webhooks.EndpointSecret.v1");

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);
}
