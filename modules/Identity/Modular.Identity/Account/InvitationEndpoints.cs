using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Modular.Identity.Configuration;
using Modular.Identity.Contracts;
using Modular.Identity.Persistence;
using Modular.Kernel.Errors;
using Modular.Kernel.Tenancy;

namespace Modular.Identity.Account;

/// <summary>
/// Where an invitation's mailed link lands. Opening it changes nothing (mail scanners open links): a signed-in visitor
/// gets a button that posts the link back, a visitor who is not signed in gets the way to sign in or register with the
/// invited address and come back. The post accepts through the same command as the API, under the same rules.
/// </summary>
internal static class InvitationEndpoints
{
    public static void MapInvitationEndpoints(this RouteGroupBuilder account)
    {
        account.MapGet("/invitations/accept", ShowAsync);
        account.MapPost("/invitations/accept", AcceptAsync).RequireAntiforgery();
    }

    private static async Task<IResult> ShowAsync(
        string? id, string? token, HttpContext http, IdentityDbContext db, TenantScope scope, IOptions<AccountSettings> settings, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var invitationId) || token is not { Length: > 0 and <= 100 })
        {
            return NotValid("This invitation link is not complete. Open the link from the email again.");
        }

        var here = QueryHelpers.AddQueryString(IdentityRoutes.AcceptInvitationPage, new Dictionary<string, string?> { ["id"] = id, ["token"] = token });
        if (http.User.Identity?.IsAuthenticated == true)
        {
            return AccountPages.Render<ConfirmLinkPage>(new
            {
                Title = "Accept the invitation",
                Message = "You have been invited to join an organization. Accept to become one of its members.",
                Action = IdentityRoutes.AcceptInvitationPage,
                Button = "Accept the invitation",
                Fields = (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { ["id"] = id!, ["token"] = token },
            });
        }

        // The invited address prefills the forms; it is shown only to whoever holds the link's token, which was mailed to it.
        scope.EnterAllTenants();
        var invitation = await db.Invitations.AsNoTracking().FirstOrDefaultAsync(i => i.Id == invitationId, cancellationToken);
        var email = invitation is not null && invitation.HasToken(token) ? invitation.Email : null;
        return AccountPages.Render<InvitationLinkPage>(new
        {
            Email = email,
            SignInHref = QueryHelpers.AddQueryString(IdentityRoutes.Login, new Dictionary<string, string?> { ["returnUrl"] = here, ["userName"] = email }),
            RegisterHref = settings.Value.AllowRegistration ? QueryHelpers.AddQueryString(IdentityRoutes.Register, new Dictionary<string, string?> { ["email"] = email }) : null,
        });
    }

    private static async Task<IResult> AcceptAsync([FromForm] string? id, [FromForm] string? token, HttpContext http, ISender sender, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var invitationId) || token is not { Length: > 0 and <= 100 })
        {
            return NotValid("This invitation link is not complete. Open the link from the email again.");
        }

        if (http.User.Identity?.IsAuthenticated != true)
        {
            var here = QueryHelpers.AddQueryString(IdentityRoutes.AcceptInvitationPage, new Dictionary<string, string?> { ["id"] = id, ["token"] = token });
            return Results.LocalRedirect(QueryHelpers.AddQueryString(IdentityRoutes.Login, "returnUrl", here));
        }

        try
        {
            await sender.Send(new AcceptInvitation(invitationId, token), cancellationToken);
            return AccountPages.Message("Welcome", "You have joined the organization. Sign in to its apps to start working there.");
        }
        catch (NotFoundException)
        {
            return NotValid("This invitation link is not valid. Open the link from the newest invitation email.");
        }
        catch (ProblemException refused)
        {
            // Expired, revoked, used, for another address, already a member: the rule's own words, and nothing changed.
            return AccountPages.Message("Invitation not accepted", refused.Message, status: refused.Status);
        }
    }

    private static IResult NotValid(string message) =>
        AccountPages.Message("Invitation not valid", message, status: StatusCodes.Status400BadRequest);
}
