using Microsoft.AspNetCore.DataProtection;

namespace Modular.Identity.Federation;

/// <summary>Connections' client secrets at rest: protected with the platform's Data Protection key ring, which every instance shares.</summary>
public sealed class SsoSecrets(IDataProtectionProvider protection)
{
    private readonly IDataProtector _protector = protection.CreateProtector("Modular.Identity.SsoConnection.ClientSecret.v1");

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);
}
