using System.Security.Claims;
using Mediator;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Admin.Organization;
using Modular.Identity.Contracts;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Modular.Admin.SignIn;

/// <summary>
/// An operator acts as a tenant's member, for support: the console's session becomes the member's, in that tenant,
/// with the member's permissions there and none of the platform's, marked with the operator's name (every audit entry
/// reads "operator as member"), for a fixed time that use does not extend. It replaces the operator's own session, so
/// while it lasts the operators' console is out of reach; ending it signs the operator in again (the provider still
/// knows them). The identity module decides what may be acted as and records it (<see cref="StartImpersonation"/>).
/// </summary>
public static class Impersonation
{
    /// <summary>When the session ends (round-trip format), for the banner that says so.</summary>
    public const string EndsClaim = "impersonation_ends";

    public static void MapImpersonation(this IEndpointRouteBuilder app)
    {
        app.MapPost(IdentityRoutes.ConsoleImpersonation, (Delegate)StartAsync).RequireAuthorization(ConsolePolicies.Operator).ExcludeFromDescription();
        app.MapPost(IdentityRoutes.ConsoleEndImpersonation, (Delegate)EndAsync).RequireAuthorization(ConsolePolicies.SignedIn).ExcludeFromDescription();
    }

    private static async Task<IResult> StartAsync(HttpContext http, IAntiforgery antiforgery, ISender sender)
    {
        await antiforgery.ValidateRequestAsync(http); // the console's own form, not one on another site
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var errors = new Dictionary<string, string[]>();
        if (!Guid.TryParse(form["userId"], out var userId))
        {
            errors["userId"] = ["A user id is required."];
        }

        if (!Guid.TryParse(form["tenantId"], out var tenantId))
        {
            errors["tenantId"] = ["A tenant id is required."];
        }

        if (errors.Count > 0)
        {
            throw new RequestValidationException(errors);
        }

        var operatorName = http.User.Identity?.Name ?? http.User.FindFirstValue(Claims.Subject) ?? "operator";
        var member = await sender.Send(new StartImpersonation(userId, tenantId, form["reason"].ToString()), http.RequestAborted);

        var identity = new ClaimsIdentity(AdminSignIn.Scheme, Claims.Name, Claims.Role);
        identity.AddClaim(new Claim(Claims.Subject, member.UserId.ToString()));
        identity.AddClaim(new Claim(Claims.Name, member.UserName));
        if (member.Email is not null)
        {
            identity.AddClaim(new Claim(Claims.Email, member.Email));
        }

        identity.AddClaim(new Claim(ModularClaims.Tenant, member.TenantId.ToString()));
        identity.AddClaims(member.Roles.Select(role => new Claim(Claims.Role, role)));
        identity.AddClaims(member.Permissions.Select(permission => new Claim(ModularClaims.Permission, permission)));
        identity.AddClaim(new Claim(ModularClaims.ImpersonatedBy, operatorName));
        identity.AddClaim(new Claim(EndsClaim, member.ExpiresAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture)));

        await http.SignInAsync(AdminSignIn.Scheme, new ClaimsPrincipal(identity), new AuthenticationProperties
        {
            ExpiresUtc = member.ExpiresAt,
            AllowRefresh = false, // the console's cookie slides; this session ends when it said it would
        });
        return Results.LocalRedirect(OrganizationArea.Path);
    }

    private static async Task<IResult> EndAsync(HttpContext http, IAntiforgery antiforgery, ISender sender)
    {
        await antiforgery.ValidateRequestAsync(http);
        await sender.Send(new EndImpersonation(), http.RequestAborted);
        await http.SignOutAsync(AdminSignIn.Scheme);
        return Results.LocalRedirect($"{AdminSignIn.SignInPath}?returnUrl=%2Fadmin");
    }
}
