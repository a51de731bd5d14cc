using System.Net;
using System.Net.Sockets;
using System.Text;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;

namespace Modular.Identity.Tests;

/// <summary>The account emails' outbox: what the default (log) sender and the SMTP sender record, and its listing.</summary>
public sealed class EmailOutboxTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_an_smtp_server_configured_the_email_is_sent_there_and_its_links_leave_the_outbox()
    {
        await using var smtp = new FakeSmtpServer();
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres, new()
        {
            ["Identity:Email:Smtp:Host"] = "127.0.0.1",
            ["Identity:Email:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Identity:Email:Smtp:EnableSsl"] = "false",
            ["Identity:Email:From"] = "accounts@modular.test",
        });

        var answered = await AccountFlows.PostAsync(oidc.Browser(), IdentityRoutes.ForgotPassword, IdentityRoutes.ForgotPassword, ("email", "alice@example.com"));

        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        var email = Assert.Single(await AccountFlows.EmailsToAsync(oidc, "alice@example.com"));
        Assert.Equal(OutgoingEmailStatus.Sent, email.Status);
        Assert.NotNull(email.SentAt);
        Assert.Null(email.HtmlBody);
        var message = await smtp.Received.Task.WaitAsync(Ct);
        Assert.Contains("MAIL FROM:<accounts@modular.test>", message);
        Assert.Contains("RCPT TO:<alice@example.com>", message);
        Assert.Contains(IdentityRoutes.ResetPassword, message.Replace("=\r\n", "")); // quoted-printable may fold lines
    }

    [Fact]
    public async Task An_unreachable_smtp_server_marks_the_email_failed_and_the_visitor_sees_the_usual_answer()
    {
        var closedPort = FakeSmtpServer.UnusedPort();
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres, new()
        {
            ["Identity:Email:Smtp:Host"] = "127.0.0.1",
            ["Identity:Email:Smtp:Port"] = closedPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Identity:Email:Smtp:EnableSsl"] = "false",
        });

        var known = await AccountFlows.PostAsync(oidc.Browser(), IdentityRoutes.ForgotPassword, IdentityRoutes.ForgotPassword, ("email", "alice@example.com"));
        var unknown = await AccountFlows.PostAsync(oidc.Browser(), IdentityRoutes.ForgotPassword, IdentityRoutes.ForgotPassword, ("email", "nobody@example.com"));

        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
        Assert.Equal((await unknown.TextAsync()).Replace("nobody@example.com", "X"), (await known.TextAsync()).Replace("alice@example.com", "X"));
        var email = Assert.Single(await AccountFlows.EmailsToAsync(oidc, "alice@example.com"));
        Assert.Equal(OutgoingEmailStatus.Failed, email.Status);
        Assert.NotNull(email.HtmlBody); // kept, so an operator can still help the user
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task The_outbox_lists_the_newest_emails_first_a_page_at_a_time(DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres);
        foreach (var name in new[] { "one", "two", "three" })
        {
            await AccountFlows.RegisterAsync(oidc.Browser(), $"{name}@example.com");
        }

        await AccountFlows.EmailsSentAsync(oidc);
        await using var scope = oidc.Host.Services.CreateAsyncScope();
        var sender = scope.ServiceProvider.GetRequiredService<ISender>();
        var first = await sender.Send(new ListOutgoingEmails(1, 2), Ct);
        var second = await sender.Send(new ListOutgoingEmails(2, 2), Ct);

        Assert.Equal(3, first.Total);
        Assert.Equal(["three@example.com", "two@example.com"], first.Items.Select(e => e.To));
        Assert.Equal(["one@example.com"], second.Items.Select(e => e.To));
        Assert.All(first.Items, e =>
        {
            Assert.Equal("Confirm your email address", e.Subject);
            Assert.Equal(OutgoingEmailKinds.ConfirmEmail, e.Kind);
            Assert.Equal("Logged", e.Status);
            Assert.Null(e.SentAt);
        });
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task One_address_gets_at_most_the_hourly_limit_of_emails_however_often_the_form_is_posted(DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres, new() { ["Identity:Email:MaxPerAddressPerHour"] = "3" });
        var answers = new HashSet<string>();
        for (var request = 0; request < 5; request++)
        {
            var response = await AccountFlows.PostAsync(oidc.Browser(), IdentityRoutes.ForgotPassword, IdentityRoutes.ForgotPassword, ("email", "alice@example.com"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            answers.Add(await response.TextAsync());
        }

        Assert.Single(answers); // the visitor cannot tell when the limit is reached
        Assert.Equal(3, (await AccountFlows.EmailsToAsync(oidc, "alice@example.com")).Count);
        await AccountFlows.PostAsync(oidc.Browser(), IdentityRoutes.ResendConfirmation, IdentityRoutes.ResendConfirmation, ("email", "alice@example.com"));
        await AccountFlows.RegisterAsync(oidc.Browser(), "jay@example.com");
        Assert.Single(await AccountFlows.EmailsToAsync(oidc, "jay@example.com")); // other addresses are not held back
    }

    [Theory]
    [InlineData(0, 20)]
    [InlineData(1, 0)]
    [InlineData(1, 101)]
    public async Task Listing_the_outbox_with_a_bad_page_is_a_validation_error(int page, int pageSize)
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        await using var scope = oidc.Host.Services.CreateAsyncScope();

        await Assert.ThrowsAsync<RequestValidationException>(async () =>
            await scope.ServiceProvider.GetRequiredService<ISender>().Send(new ListOutgoingEmails(page, pageSize), Ct));
    }

    /// <summary>Just enough SMTP (RFC 5321) for System.Net.Mail to hand over one message; records the dialogue.</summary>
    private sealed class FakeSmtpServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Task _serving;

        public FakeSmtpServer()
        {
            _listener.Start();
            _serving = ServeAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public TaskCompletionSource<string> Received { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static int UnusedPort()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        private async Task ServeAsync()
        {
            try
            {
                using var client = await _listener.AcceptTcpClientAsync();
                await using var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII);
                await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
                var dialogue = new StringBuilder();
                await writer.WriteLineAsync("220 fake.smtp ready");
                var inData = false;
                while (await reader.ReadLineAsync() is { } line)
                {
                    dialogue.Append(line).Append("\r\n");
                    if (inData)
                    {
                        if (line == ".")
                        {
                            inData = false;
                            await writer.WriteLineAsync("250 queued");
                        }

                        continue;
                    }

                    var verb = line.Split(' ')[0].ToUpperInvariant();
                    switch (verb)
                    {
                        case "DATA":
                            inData = true;
                            await writer.WriteLineAsync("354 go ahead");
                            break;
                        case "QUIT":
                            await writer.WriteLineAsync("221 bye");
                            Received.TrySetResult(dialogue.ToString());
                            return;
                        default:
                            await writer.WriteLineAsync("250 ok");
                            break;
                    }
                }

                Received.TrySetResult(dialogue.ToString());
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                Received.TrySetException(e);
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            try
            {
                await _serving;
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                // stopped before a client came
            }
        }
    }
}
