using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Modular.Identity.Domain;

namespace Modular.Identity.Email;

/// <summary>
/// No mail server configured: the email is only logged (and kept in the outbox table). The body holds
/// bearer links (confirmation, password reset), so it is logged only in Development, where a developer
/// clicks it; elsewhere the log names the row, and the operator reads it in the admin console.
/// </summary>
internal sealed partial class LogEmailDelivery(IHostEnvironment environment, ILogger<LogEmailDelivery> logger) : IEmailDelivery
{
    public Task DeliverAsync(OutgoingEmail email, CancellationToken cancellationToken)
    {
        if (environment.IsDevelopment())
        {
            LogWithBody(logger, email.Id, email.Kind, email.To, email.Subject, email.HtmlBody);
        }
        else
        {
            LogRecorded(logger, email.Id, email.Kind);
        }

        email.MarkLogged();
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Email {EmailId} ({Kind}) to {To}: {Subject}\n{Body}")]
    private static partial void LogWithBody(ILogger logger, Guid emailId, string kind, string to, string subject, string? body);

    [LoggerMessage(Level = LogLevel.Information, Message = "Email {EmailId} ({Kind}) recorded in the outbox; no SMTP server is configured (Identity:Email:Smtp:Host), so it was not sent")]
    private static partial void LogRecorded(ILogger logger, Guid emailId, string kind);
}
