using System.Security.Cryptography;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Modular.Identity.Configuration;

namespace Modular.Identity.Tests;

public sealed class SigningKeyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public void Outside_development_a_host_without_configured_keys_refuses_to_start(string environment)
    {
        var error = Assert.Throws<InvalidOperationException>(() => SigningKeys.Load([], "Identity:SigningKeys", new Environment(environment)));
        Assert.Contains("Identity:SigningKeys", error.Message);
        Assert.Empty(SigningKeys.Load([], "Identity:SigningKeys", new Environment("Development"))); // there: ephemeral keys
    }

    [Fact]
    public async Task Configured_pem_keys_are_published_and_the_first_one_signs()
    {
        var directory = Directory.CreateTempSubdirectory("modular-keys-");
        try
        {
            var newest = Path.Combine(directory.FullName, "signing-2026.pem");
            var older = Path.Combine(directory.FullName, "signing-2025.pem");
            var encryption = Path.Combine(directory.FullName, "encryption.pem");
            foreach (var path in new[] { newest, older, encryption })
            {
                using var rsa = RSA.Create(2048);
                await File.WriteAllTextAsync(path, rsa.ExportPkcs8PrivateKeyPem(), Ct);
            }

            var keys = SigningKeys.Load([newest, older], "Identity:SigningKeys", new Environment("Production"));
            await using var host = ModularHost.OnSqlite(new Dictionary<string, string?>
            {
                ["Identity:SigningKeys:0"] = newest,
                ["Identity:SigningKeys:1"] = older,
                ["Identity:EncryptionKeys:0"] = encryption,
                ["Identity:Clients:0:ClientId"] = "service",
                ["Identity:Clients:0:ClientSecret"] = "service-secret-0123456789",
                ["Identity:Clients:0:GrantTypes:0"] = "client_credentials",
                ["Identity:Clients:0:Scopes:0"] = "api",
            }).WithRealSignIn();
            var http = host.CreateClient();
            var disco = await http.GetDiscoveryDocumentAsync(new DiscoveryDocumentRequest { Address = "http://localhost" }, Ct);

            Assert.Equal(keys.Select(k => k.KeyId).Order(), disco.KeySet!.Keys.Select(k => k.Kid).Order());
            var token = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
            {
                Address = disco.TokenEndpoint,
                ClientId = "service",
                ClientSecret = "service-secret-0123456789",
                Scope = "api",
            }, Ct);
            Assert.False(token.IsError, token.Error);
            var header = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token.AccessToken);
            Assert.Equal(keys[0].KeyId, header.Kid);
            Assert.Equal("RS256", header.Alg);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "Modular.Host";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
