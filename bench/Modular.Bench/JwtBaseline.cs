using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Modular.Bench;

/// <summary>
/// The baseline for the token endpoint's load test: a bare minimal-API endpoint that answers the same
/// form POST with a JWT signed once at start-up — HTTP, form parsing and JSON, and nothing else.
/// </summary>
internal static class JwtBaseline
{
    public static void Run(string url)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls(url);
        var app = builder.Build();

        var key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "baseline" };
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = url,
            Audience = "modular-api",
            Claims = new Dictionary<string, object> { ["sub"] = "bench", ["scope"] = "api" },
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
        var body = $"{{\"access_token\":\"{token}\",\"token_type\":\"Bearer\",\"expires_in\":3600,\"scope\":\"api\"}}";

        app.MapPost("/connect/token", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            return form["grant_type"] == "client_credentials"
                ? Results.Text(body, "application/json")
                : Results.BadRequest();
        });
        app.Run();
    }
}
