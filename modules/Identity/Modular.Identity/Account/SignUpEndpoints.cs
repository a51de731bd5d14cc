using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Modular.Identity.Configuration;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Federation;
using Modular.Identity.Limits;
using Modular.Identity.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;

namespace Modular.Identity.Account;

/// <summary>
/// Sign-up (<c>Identity:SignUp:Mode</c> <c>open</c>): a visitor makes an account and an organisation. The tenant is
/// created pending activation with the visitor as its owner, and serves once the mailed link confirms the address; a
/// tenant nobody confirms is dropped after <c>Tenants:ActivationWindow</c>. As with registration, an address that has
/// an account gets the same answer as a new one, and its slug is held the same way (by a tenant with no owner, left to
/// expire): neither the page nor the slug's availability tells who has an account.
/// </summary>
internal static class SignUpEndpoints
{
    public static void MapSignUpEndpoints(this RouteGroupBuilder account)
    {
        account.MapGet("/sign-up", () => AccountPages.Render<SignUpPage>(new { })).AddEndpointFilter(WhenSignUpIsOpen);
        account.MapPost("/sign-up", SignUpAsync).AddEndpointFilter(WhenSignUpIsOpen).RequireAntiforgery();
    }

    private static async ValueTask<object?> WhenSignUpIsOpen(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.RequestServices.GetRequiredService<IOptions<AccountSettings>>().Value.SignUp.IsOpen
            ? await next(context)
            : Results.NotFound();

    private static async Task<IResult> SignUpAsync(
        [FromForm] string? organization, [FromForm] string? slug, [FromForm] string? email, [FromForm] string? displayName,
        [FromForm] string? password, [FromForm] string? confirmPassword,
        HttpContext http, UserManager<User> users, ISender sender, TenantScope scope, IdentityDbContext db, AccountEmails mails, SignUpLimits limits,
        IOptions<IdentitySettings> identity, IOptions<AccountSettings> account, SsoDirectory sso, ICaller caller, TimeProvider clock)
    {
        organization = organization?.Trim() ?? "";
        slug = string.IsNullOrWhiteSpace(slug) ? null : slug.Trim();
        email = email?.Trim();
        displayName = displayName?.Trim() ?? "";
        IResult Form(IReadOnlyList<string> errors, int status = StatusCodes.Status400BadRequest) => AccountPages.Render<SignUpPage>(
            new { Organization = organization, Slug = slug, Email = email, DisplayName = displayName, Errors = errors }, status);

        if (limits.AttemptFrom(http) is { } wait)
        {
            return TooMany(http, wait);
        }

        var user = new User { UserName = email, Email = email, DisplayName = displayName, CreatedAt = clock.GetUtcNow() };
        var errors = new List<string>();
        if (organization.Length is 0 or > SignUp.OrganizationNameMaxLength)
        {
            errors.Add($"Enter your organisation's name, at most {SignUp.OrganizationNameMaxLength} characters.");
        }

        if (!AccountPages.IsEmail(email))
        {
            errors.Add("Enter a valid email address.");
        }
        else if (await sso.IsEnforcedAsync(email, http.RequestAborted))
        {
            errors.Add(AccountPages.UseSingleSignOn);
        }

        if (displayName.Length > User.DisplayNameMaxLength)
        {
            errors.Add($"Use at most {User.DisplayNameMaxLength} characters for your name.");
        }

        errors.AddRange(await AccountPages.CheckNewPasswordAsync(users, user, password, confirmPassword));
        SlugAvailability? availability = null;
        if (slug is { Length: > SignUp.SlugMaxLength })
        {
            errors.Add(SlugError(null));
        }
        else if (slug is not null || organization.Length is > 0 and <= SignUp.OrganizationNameMaxLength)
        {
            availability = await sender.Send(new CheckTenantSlug(slug, organization), http.RequestAborted);
            if (!availability.Available)
            {
                errors.Add(SlugError(availability));
            }
        }

        if (errors.Count > 0)
        {
            return Form(errors);
        }

        if (limits.AttemptFor(users.NormalizeEmail(email)!) is { } addressWait)
        {
            return TooMany(http, addressWait);
        }

        // The tenant does not exist yet, so there is no tenant's scope to act in.
        scope.EnterAllTenants();
        var origin = AccountPages.Origin(http, identity.Value);
        var existing = await users.FindByEmailAsync(email!);
        var created = existing is null ? await users.CreateAsync(user, password!) : null;
        if (created is { Succeeded: false } && created.Errors.Any(e => !e.Code.StartsWith("Duplicate", StringComparison.Ordinal)))
        {
            return Form(AccountPages.Describe(created));
        }

        TenantDto tenant;
        try
        {
            tenant = await sender.Send(
                new CreateTenant(availability!.Slug, organization, account.Value.SignUp.Plan, PendingActivation: true), http.RequestAborted);
        }
        catch (Exception e) when (e is ConflictException or RequestValidationException)
        {
            if (created is { Succeeded: true })
            {
                await users.DeleteAsync(user); // nothing is left of a sign-up that did not happen
            }

            return Form([SlugError(await sender.Send(new CheckTenantSlug(availability!.Slug), http.RequestAborted))]);
        }

        var now = clock.GetUtcNow();
        if (created is { Succeeded: true })
        {
            db.Memberships.Add(Membership.Create(tenant.Id, user.Id, [IdentityRoles.Owner], now));
            var from = ClientAddress.Of(http);
            db.SignUps.Add(SignUp.Create(user.Id, tenant.Id, email!, organization, tenant.Slug, from.Length > 0 ? from : null, now));
            db.Audit(tenant.Id, caller, "signup.started", $"user:{user.Id}", new { email, tenant.Slug }, now);
            await db.CommitAsync(http.RequestAborted);
            var id = user.Id;
            mails.Enqueue(OutgoingEmailKinds.ConfirmEmail, async services =>
            {
                if (await services.GetRequiredService<UserManager<User>>().FindByIdAsync(id.ToString()) is { } registered)
                {
                    await RegistrationEndpoints.SendConfirmationAsync(services, origin, registered);
                }
            });
        }
        else
        {
            // The address has an account: no owner for this tenant (it expires unconfirmed); what registration mails applies.
            users.PasswordHasher.HashPassword(user, password!);
            RegistrationEndpoints.MailExistingAccount(mails, origin, existing?.Id ?? (await users.FindByEmailAsync(email!))!.Id);
        }

        return AccountPages.Message("Check your email",
            $"We have sent a link to {email}. Open it to confirm your address: {organization} is ready as soon as you do.",
            IdentityRoutes.Login, "Go to sign in");
    }

    /// <summary>
    /// After the address is confirmed: the tenant its sign-up made starts serving. Returns the organisation's name, or
    /// null when there was no sign-up waiting (or its tenant has expired meanwhile).
    /// </summary>
    public static async Task<string?> CompleteSignUpAsync(IServiceProvider services, Guid userId, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<IdentityDbContext>();
        if (await db.SignUps.FirstOrDefaultAsync(s => s.UserId == userId && s.ActivatedAt == null, cancellationToken) is not { } signUp)
        {
            return null;
        }

        services.GetRequiredService<TenantScope>().EnterAllTenants();
        try
        {
            await services.GetRequiredService<ISender>().Send(new ActivateTenant(signUp.TenantId), cancellationToken);
        }
        catch (NotFoundException)
        {
            return null; // not confirmed in time: the tenant was dropped
        }
        catch (ConflictException)
        {
            // An operator activated it already.
        }

        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        signUp.Activate(now);
        db.Audit(signUp.TenantId, services.GetRequiredService<ICaller>(), "signup.confirmed", $"user:{userId}", null, now);
        await db.CommitAsync(cancellationToken);
        return signUp.OrganizationName;
    }

    private static IResult TooMany(HttpContext http, TimeSpan wait)
    {
        http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return AccountPages.Message("Too many sign-ups", "Too many sign-ups from here or for this address; try again later.", status: StatusCodes.Status429TooManyRequests);
    }

    private static string SlugError(SlugAvailability? availability) => availability switch
    {
        { Reason: "taken", Suggestion: { } free } => $"The address '{availability.Slug}' is taken; '{free}' is free.",
        { Reason: "reserved", Suggestion: { } free } => $"The address '{availability.Slug}' is reserved; '{free}' is free.",
        { Reason: "taken" or "reserved" } => $"The address '{availability.Slug}' is not available; choose another.",
        _ => "Choose an address of lower-case letters, digits and inner hyphens (at most 63).",
    };
}
