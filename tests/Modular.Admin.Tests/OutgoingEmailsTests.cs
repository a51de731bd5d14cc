using System.Net;
using System.Text.RegularExpressions;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Modular.Identity.Contracts;
using static Microsoft.Playwright.Assertions;

namespace Modular.Admin.Tests;

/// <summary>The identity module's "Outgoing emails" page: the local outbox, for operators who may read users.</summary>
public sealed partial class OutgoingEmailsTests(OutgoingEmailsTests.EmailsSent console) : IClassFixture<OutgoingEmailsTests.EmailsSent>
{
    private static readonly string UserReader = TestSignIn.Describe("support", ["platform.admin", "identity.users.read"]);

    [Fact]
    public async Task The_Outgoing_emails_link_lists_the_confirmation_emails_newest_first()
    {
        await using var admin = await console.OpenAsync(UserReader);
        var page = admin.Page;
        await admin.GotoAsync("/admin");

        await admin.FollowMenuLinkAsync("Outgoing emails");

        await Expect(page).ToHaveURLAsync(new Uri(console.BaseAddress, IdentityRoutes.ConsoleOutgoingEmails).ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Outgoing emails", Exact = true })).ToBeVisibleAsync();
        await Expect(page).ToHaveTitleAsync("Outgoing emails · Modular admin");
        var rows = page.GetByTestId("email-table").Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(EmailsSent.Registered.Length);
        await Expect(rows.First.Locator("td").First).ToHaveTextAsync(EmailsSent.Registered[^1]);
        foreach (var address in EmailsSent.Registered)
        {
            var row = rows.Filter(new() { HasText = address });
            await Expect(row).ToContainTextAsync("Confirm your email address");
            await Expect(row).ToContainTextAsync("confirm-email");
            await Expect(row).ToContainTextAsync("Logged");
        }

        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task An_email_opens_to_show_its_body_in_a_frame_that_runs_nothing()
    {
        await using var admin = await console.OpenAsync(UserReader);
        var page = admin.Page;
        await admin.GotoAsync(IdentityRoutes.ConsoleOutgoingEmails);

        await page.GetByTestId("email-table").Locator("tbody tr").Filter(new() { HasText = EmailsSent.Registered[0] }).ClickAsync();
        var detail = page.GetByTestId("email-detail");
        await Expect(detail).ToContainTextAsync($"To {EmailsSent.Registered[0]}");
        var body = page.GetByTestId("email-body");
        await Expect(body).ToHaveAttributeAsync("sandbox", ""); // outside Development: no scripts, and no link leaves the frame
        await Expect(page.FrameLocator("[data-testid=email-body]").GetByRole(AriaRole.Link).First).ToHaveAttributeAsync("href", new Regex("/account/confirm-email\\?userId="));
        await page.GetByTestId("detail-close").ClickAsync();
        await Expect(detail).ToHaveCountAsync(0);
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task An_operator_without_identity_users_read_sees_no_emails()
    {
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;
        await admin.GotoAsync(IdentityRoutes.ConsoleOutgoingEmails);

        await Expect(page.GetByTestId("emails-forbidden")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("email-table")).ToHaveCountAsync(0);
        await Expect(page.Locator("body")).Not.ToContainTextAsync(EmailsSent.Registered[0]);
        Assert.Empty(admin.Errors);
    }

    /// <summary>The console after two people registered through the sign-up form (so two confirmation emails were recorded).</summary>
    public sealed partial class EmailsSent : AdminConsoleFixture
    {
        public static readonly string[] Registered = ["first@example.com", "second@example.com"];

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            if (!File.Exists(ChromiumPath))
            {
                return;
            }

            foreach (var email in Registered)
            {
                using var browser = Host.CreateClient(); // keeps the antiforgery cookie between the two requests
                var form = await browser.GetStringAsync(IdentityRoutes.Register);
                var token = WebUtility.HtmlDecode(TokenPattern().Match(form).Groups[1].Value);
                using var response = await browser.PostAsync(IdentityRoutes.Register, new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["__RequestVerificationToken"] = token,
                    ["email"] = email,
                    ["password"] = "correct-Horse-battery-9",
                    ["confirmPassword"] = "correct-Horse-battery-9",
                }));
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"Registering {email} answered {(int)response.StatusCode}");
                }
            }

            // Account emails are recorded after the answer (so that answers take alike): wait for both before any page lists them.
            await Eventually.HoldsAsync(async () =>
            {
                await using var scope = Host.Services.CreateAsyncScope();
                var outbox = await scope.ServiceProvider.GetRequiredService<ISender>().Send(new ListOutgoingEmails());
                return outbox.Total == Registered.Length;
            }, "both confirmation emails are recorded");
        }

        [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
        private static partial Regex TokenPattern();
    }
}
