using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace Modular.Identity.Configuration;

/// <summary>
/// Token keys come from the operator (PEM files named in configuration). Ephemeral keys exist only in
/// Development and Testing; anywhere else a host without configured keys refuses to start.
/// </summary>
internal static class SigningKeys
{
    public static IReadOnlyList<SecurityKey> Load(IEnumerable<string> pemPaths, string setting, IHostEnvironment environment)
    {
        var keys = pemPaths.Select(path =>
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(File.ReadAllText(path));
            var key = new RsaSecurityKey(rsa);
            key.KeyId = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
            return (SecurityKey)key;
        }).ToList();

        if (keys.Count == 0 && !AllowsEphemeralKeys(environment))
        {
            throw new InvalidOperationException(
                $"{setting} must name at least one RSA private key (PEM file) outside Development: tokens signed with throwaway keys would not survive a restart or a second instance.");
        }

        return keys;
    }

    public static bool AllowsEphemeralKeys(IHostEnvironment environment) =>
        environment.IsDevelopment() || environment.IsEnvironment("Testing");
}
