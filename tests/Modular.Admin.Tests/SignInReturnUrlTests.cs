using System.Net;
using System.Text.RegularExpressions;
using Modular.Identity.Contracts;

namespace Modular.Admin.Tests;

/// <summary>
/// The console's sign-in round trip over plain HTTP (no browser needed): the path it returns to at the end is a
/// local one, whatever the <c>returnUrl</c> it started with.
/// </summary>
public sealed class SignInReturnUrlTests
{
    private const string Email = "ops@example.com";
    private const string Password = "return-Url-passw0rd";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_return_url_with_a_control_character_ends_the_sign_in_at_the_console()
    {
        await using var host = ModularHost.OnSqlite(new Dictionary<string, string?>
        {
            ["Identity:SeedAdmin:Email"] = Email,
            ["Identity:SeedAdmin:Password"] = Password,
        }).WithRealSignIn();
        host.UseKestrel(options => options.Listen(IPAddress.Loopback, 0)); // the console reaches the provider over HTTP
        host.StartServer();
        // A plain client to the real server that shows each redirect, and keeps cookies as a browser does on
        // 127.0.0.1, Secure ones included (OpenIddict's correlation cookie is one; CookieContainer drops it on http).
        using var browser = new HttpClient(new CookieJar(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }))
        {
            BaseAddress = host.ClientOptions.BaseAddress,
        };
        (await browser.GetAsync("/.well-known/openid-configuration", Ct)).EnsureSuccessStatusCode();

        // Browsers drop the tab: "/\t/evil.example" is "//evil.example", another origin.
        var response = await browser.GetAsync("/admin/signin?returnUrl=" + Uri.EscapeDataString("/\t/evil.example"), Ct);
        var callback = await FollowSignInAsync(browser, response);

        Assert.True(callback.StatusCode == HttpStatusCode.Redirect, $"the callback answered {callback.StatusCode}: {await callback.Content.ReadAsStringAsync(Ct)}");
        Assert.Equal("/admin", callback.Headers.Location?.OriginalString);
    }

    /// <summary>Follows the round trip (authorize, the login form, authorize again) and returns the console callback's answer.</summary>
    private static async Task<HttpResponseMessage> FollowSignInAsync(HttpClient browser, HttpResponseMessage response)
    {
        for (var step = 0; step < 10; step++)
        {
            Assert.True(response.StatusCode is HttpStatusCode.Found or HttpStatusCode.Redirect, $"step {step} answered {response.StatusCode}");
            var next = response.Headers.Location!;
            var path = next.IsAbsoluteUri ? next.PathAndQuery : next.OriginalString;
            if (path.StartsWith(IdentityRoutes.Login, StringComparison.Ordinal))
            {
                var page = await (await browser.GetAsync(path, Ct)).Content.ReadAsStringAsync(Ct);
                // The password form's hidden fields: the first of each name (the passkey form repeats the token and returnUrl).
                var form = Regex.Matches(page, "<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"")
                    .DistinctBy(m => m.Groups[1].Value)
                    .ToDictionary(m => WebUtility.HtmlDecode(m.Groups[1].Value), m => WebUtility.HtmlDecode(m.Groups[2].Value));
                form["username"] = Email;
                form["password"] = Password;
                response = await browser.PostAsync(IdentityRoutes.Login, new FormUrlEncodedContent(form), Ct);
                continue;
            }

            response = await browser.GetAsync(path, Ct);
            if (path.StartsWith("/admin/signin-oidc", StringComparison.Ordinal))
            {
                return response;
            }
        }

        throw new InvalidOperationException("The sign-in did not come back to the console's callback.");
    }

    private sealed class CookieJar(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private readonly Dictionary<string, string> _cookies = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (_cookies.Count > 0)
            {
                request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}")));
            }

            var response = await base.SendAsync(request, cancellationToken);
            foreach (var header in response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [])
            {
                var pair = header.Split(';')[0].Split('=', 2);
                if (header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase))
                {
                    _cookies.Remove(pair[0]);
                }
                else
                {
                    _cookies[pair[0]] = pair[1];
                }
            }

            return response;
        }
    }
}
