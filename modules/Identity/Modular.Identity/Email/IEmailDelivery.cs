using Modular.Identity.Domain;

namespace Modular.Identity.Email;

/// <summary>Where a recorded email goes: the log (default) or an SMTP server (<c>Identity:Email:Smtp:Host</c>).</summary>
internal interface IEmailDelivery
{
    /// <summary>Delivers <paramref name="email"/> and marks it logged or sent; throws when delivery fails.</summary>
    Task DeliverAsync(OutgoingEmail email, CancellationToken cancellationToken);
}
