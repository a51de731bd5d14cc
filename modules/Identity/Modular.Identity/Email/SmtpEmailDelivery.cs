using System.Net;
using System.Net.Mail;
using Microsoft.Extensions.Options;
using Modular.Identity.Configuration;
using Modular.Identity.Domain;

namespace Modular.Identity.Email;

/// <summary>Sends through the SMTP server in <c>Identity:Email:Smtp</c> (System.Net.Mail: enough for a relay).</summary>
internal sealed class SmtpEmailDelivery(IOptions<AccountSettings> settings, TimeProvider clock) : IEmailDelivery
{
    public async Task DeliverAsync(OutgoingEmail email, CancellationToken cancellationToken)
    {
        var mail = settings.Value.Email;
        var smtp = mail.Smtp;
        using var client = new SmtpClient(smtp.Host, smtp.Port) { EnableSsl = smtp.EnableSsl };
        if (smtp.UserName is { Length: > 0 })
        {
            client.Credentials = new NetworkCredential(smtp.UserName, smtp.Password);
        }

        using var message = new MailMessage(mail.From, email.To, email.Subject, email.HtmlBody) { IsBodyHtml = true };
        await client.SendMailAsync(message, cancellationToken);
        email.MarkSent(clock.GetUtcNow());
    }
}
