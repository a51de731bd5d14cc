using System.Security.Cryptography;
using FluentValidation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Modular.Identity.Account;
using Modular.Identity.Clients;
using Modular.Identity.Configuration;
using Modular.Identity.Connect;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Federation;
using Modular.Identity.Limits;
using Modular.Identity.Memberships;
using Modular.Identity.Persistence;
using Modular.Identity.Seeding;
using Modular.Identity.UseCases;
using Modular.Identity.UseCases.AcceptInvitation;
using Modular.Identity.UseCases.AddSsoDomain;
using Modular.Identity.UseCases.ChangeMemberRoles;
using Modular.Identity.UseCases.ConfirmSsoDomain;
using Modular.Identity.UseCases.ConfirmUserEmail;
using Modular.Identity.UseCases.CreateApiResource;
using Modular.Identity.UseCases.CreateClient;
using Modular.Identity.UseCases.CreateSsoConnection;
using Modular.Identity.UseCases.CreateTenantApiKey;
using Modular.Identity.UseCases.CreateTenantRole;
using Modular.Identity.UseCases.CreateUser;
using Modular.Identity.UseCases.DeleteApiResource;
using Modular.Identity.UseCases.DeleteClient;
using Modular.Identity.UseCases.DeleteSsoConnection;
using Modular.Identity.UseCases.DeleteTenantRole;
using Modular.Identity.UseCases.GetApiResource;
using Modular.Identity.UseCases.GetClient;
using Modular.Identity.UseCases.GetSsoConnection;
using Modular.Identity.UseCases.GetUser;
using Modular.Identity.UseCases.InviteMember;
using Modular.Identity.UseCases.InviteMembers;
using Modular.Identity.UseCases.LeaveTenant;
using Modular.Identity.UseCases.ListApiResources;
using Modular.Identity.UseCases.ListClients;
using Modular.Identity.UseCases.ListInvitations;
using Modular.Identity.UseCases.ListMyTenants;
using Modular.Identity.UseCases.ListSignUps;
using Modular.Identity.UseCases.ListSsoConnections;
using Modular.Identity.UseCases.ListTenantApiKeys;
using Modular.Identity.UseCases.ListTenantMembers;
using Modular.Identity.UseCases.ListTenantRoles;
using Modular.Identity.UseCases.ListUsers;
using Modular.Identity.UseCases.ListUserSessions;
using Modular.Identity.UseCases.LockUser;
using Modular.Identity.UseCases.RemoveMembership;
using Modular.Identity.UseCases.RemoveSsoDomain;
using Modular.Identity.UseCases.RemoveTenantMember;
using Modular.Identity.UseCases.ResendInvitation;
using Modular.Identity.UseCases.ResetTwoFactor;
using Modular.Identity.UseCases.RevokeInvitation;
using Modular.Identity.UseCases.RevokeTenantApiKey;
using Modular.Identity.UseCases.RevokeUserSessions;
using Modular.Identity.UseCases.RotateClientSecret;
using Modular.Identity.UseCases.RotateTenantApiKey;
using Modular.Identity.UseCases.SendPasswordReset;
using Modular.Identity.UseCases.SetClientEnabled;
using Modular.Identity.UseCases.SetMembership;
using Modular.Identity.UseCases.TestSsoConnection;
using Modular.Identity.UseCases.TransferOwnership;
using Modular.Identity.UseCases.UnlockUser;
using Modular.Identity.UseCases.UpdateApiResource;
using Modular.Identity.UseCases.UpdateClient;
using Modular.Identity.UseCases.UpdateSsoConnection;
using Modular.Identity.UseCases.UpdateTenantApiKey;
using Modular.Identity.UseCases.UpdateTenantRole;
using Modular.Identity.UseCases.VerifySsoDomain;
using Modular.Kernel.Errors;
using Modular.Kernel.Modules;
using Modular.Kernel.Persistence;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using OpenIddict.Server;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Modular.Identity;

/// <summary>
/// Identity and SSO: users (ASP.NET Core Identity), their tenant memberships and roles, and the
/// OpenID provider (OpenIddict) that signs them in to SaaS apps and issues machine tokens.
/// </summary>
public sealed class IdentityModule : IModule
{
    /// <summary>The authentication scheme the host uses by default: bearer tokens for /api, the login cookie elsewhere.</summary>
    public const string Scheme = "Modular";

    public string Name => "Identity";

    public IReadOnlyList<Type> DashboardCards { get; } = [typeof(Admin.UsersDashboardCard)];

    public IReadOnlyList<AdminLink> AdminLinks { get; } =
    [
        new("Users", IdentityRoutes.ConsoleUsers, MudBlazor.Icons.Material.Filled.People),
        new("Clients", IdentityRoutes.ConsoleClients, MudBlazor.Icons.Material.Filled.Apps),
        new("API resources", IdentityRoutes.ConsoleApiResources, MudBlazor.Icons.Material.Filled.Api),
        new("Outgoing emails", IdentityRoutes.ConsoleOutgoingEmails, MudBlazor.Icons.Material.Filled.Outbox),
        new("Sign-ups", IdentityRoutes.ConsoleSignUps, MudBlazor.Icons.Material.Filled.PersonAdd),
    ];

    public IReadOnlyList<OrganizationLink> OrganizationLinks { get; } =
    [
        new("Members", IdentityRoutes.OrganizationMembers, IdentityPermissions.MembersRead, MudBlazor.Icons.Material.Filled.People),
        new("Roles", IdentityRoutes.OrganizationRoles, IdentityPermissions.MembersRead, MudBlazor.Icons.Material.Filled.AdminPanelSettings),
        new("API keys", IdentityRoutes.OrganizationApiKeys, IdentityPermissions.ApiKeysManage, MudBlazor.Icons.Material.Filled.Key),
        new("Single sign-on", IdentityRoutes.OrganizationSso, IdentityPermissions.SsoManage, MudBlazor.Icons.Material.Filled.VpnKey),
    ];

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection(IdentitySettings.Section);
        services.Configure<IdentitySettings>(settings);
        services.Configure<ImpersonationSettings>(configuration.GetSection(ImpersonationSettings.Section));
        services.AddDefaultGrants(new DefaultGrants(
            Operators:
            [
                IdentityPermissions.UsersRead, IdentityPermissions.UsersManage, IdentityPermissions.ClientsManage,
                IdentityPermissions.MembersRead, IdentityPermissions.MembersManage, IdentityPermissions.RolesManage, IdentityPermissions.OwnersManage,
                IdentityPermissions.ApiKeysManage, IdentityPermissions.SsoManage, IdentityPermissions.SsoDomainsConfirm,
            ],
            TenantAdmins:
            [
                IdentityPermissions.MembersRead, IdentityPermissions.MembersManage, IdentityPermissions.RolesManage, IdentityPermissions.ApiKeysManage,
                IdentityPermissions.SsoManage,
            ]));
        services.AddOptions<IdentitySettings>().PostConfigure<IEnumerable<DefaultGrants>>((identity, grants) =>
        {
            foreach (var (role, permissions) in IdentitySettings.DefaultRolePermissions(grants))
            {
                identity.RolePermissions.TryAdd(role, permissions);
            }
        });
        services.AddScoped(sp => new RoleGrants(
            sp.GetRequiredService<IOptions<IdentitySettings>>(), sp.GetServices<DefaultGrants>(), sp.GetRequiredService<IdentityDbContext>()));
        services.AddModuleDbContext<IdentityDbContext>(IdentityDbContext.SchemaName);
        services.AddValidatorsFromAssemblyContaining<IdentityModule>(includeInternalTypes: true);
        services.AddScoped<IConsoleSearch, Admin.UsersConsoleSearch>();
        services.AddScoped<IConsoleSearch, Admin.ClientsConsoleSearch>();
        services.AddScoped<Kernel.Auditing.IAuditTargetNames, Auditing.IdentityAuditTargetNames>();
        services.AddAccountSelfService(settings);
        services.Configure<FailedSignInLimits>(configuration.GetSection(FailedSignInLimits.Section));
        services.AddSingleton<FailedSignIns>();
        services.AddSingleton<SignUpLimits>();
        services.AddOptions<AccountSettings>().Validate(a => a.SignUp.IsKnownMode, "Identity:SignUp:Mode is one of open, invite-only, closed.").ValidateOnStart();

        services.AddIdentityCore<User>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                options.Password.RequiredLength = 10;
                options.Password.RequireNonAlphanumeric = false;
                options.ClaimsIdentity.UserIdClaimType = Claims.Subject;
                options.ClaimsIdentity.UserNameClaimType = Claims.Name;
                options.ClaimsIdentity.RoleClaimType = Claims.Role;
                options.ClaimsIdentity.EmailClaimType = Claims.Email;
            })
            .AddRoles<Role>()
            .AddEntityFrameworkStores<IdentityDbContext>()
            .AddSignInManager()
            .AddClaimsPrincipalFactory<PermissionClaimsFactory>()
            .AddDefaultTokenProviders();
        services.AddOptions<IdentityPasskeyOptions>().Configure<IOptions<IdentitySettings>>(ConfigurePasskeys);

        services.AddAuthentication(options =>
            {
                options.DefaultScheme = Scheme;
                options.DefaultAuthenticateScheme = Scheme;
                options.DefaultChallengeScheme = Scheme;
                options.DefaultForbidScheme = Scheme;
                options.DefaultSignInScheme = IdentityConstants.ApplicationScheme;
            })
            .AddPolicyScheme(Scheme, "Bearer for the API, the login cookie for pages", options =>
                options.ForwardDefaultSelector = http => http.Request.Path.StartsWithSegments("/api")
                    ? OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme
                    : IdentityConstants.ApplicationScheme)
            .AddIdentityCookies(cookies => cookies.ApplicationCookie?.Configure(cookie =>
            {
                cookie.Cookie.Name = "modular.login";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.LoginPath = IdentityRoutes.Login;
                cookie.LogoutPath = IdentityRoutes.Logout;
                cookie.AccessDeniedPath = IdentityRoutes.AccessDenied;
                cookie.SlidingExpiration = true;
                cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            }));

        services.AddOpenIddict()
            .AddCore(core =>
            {
                core.UseEntityFrameworkCore().UseDbContext<IdentityDbContext>().ReplaceDefaultEntities<Guid>();
                core.ReplaceApplicationManager(typeof(SecretCachingApplicationManager<>));
            })
            .AddServer(server =>
            {
                server.SetAuthorizationEndpointUris(ConnectEndpoints.Authorize)
                    .SetTokenEndpointUris(ConnectEndpoints.Token)
                    .SetUserInfoEndpointUris(ConnectEndpoints.UserInfo)
                    .SetEndSessionEndpointUris(ConnectEndpoints.EndSession)
                    .SetIntrospectionEndpointUris(ConnectEndpoints.Introspect)
                    .SetRevocationEndpointUris(ConnectEndpoints.Revoke)
                    .SetDeviceAuthorizationEndpointUris(ConnectEndpoints.Device)
                    .SetEndUserVerificationEndpointUris(ConnectEndpoints.Verify);
                server.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange()
                    .AllowClientCredentialsFlow()
                    .AllowRefreshTokenFlow()
                    .AllowDeviceAuthorizationFlow();
                // PKCE with S256 only: "plain" is accepted by default and protects nothing.
                server.Configure(options => options.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain));
                server.RegisterScopes(ConnectEndpoints.BuiltInScopes);
                server.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableUserInfoEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    .EnableEndUserVerificationEndpointPassthrough()
                    .DisableTransportSecurityRequirement(); // TLS ends at the proxy or Kestrel; the host refuses plain HTTP (Https:Required)
                server.AddEventHandler(ProviderRequestLimit.Descriptor);
                server.LimitFailedClientAuthentication();
            })
            .AddValidation(validation =>
            {
                validation.UseLocalServer();
                validation.UseAspNetCore();
            });

        // Built at start-up, not at the first token request: a production host without keys must not start.
        services.AddOptions<OpenIddictServerOptions>()
            .Configure<IOptions<IdentitySettings>, IHostEnvironment>(ConfigureKeysAndLifetimes)
            .ValidateOnStart();
        // Every instance must read the others' cookies and antiforgery tokens: one key ring, in the database.
        services.AddDataProtection().SetApplicationName("Modular").PersistKeysToDbContext<IdentityDbContext>();

        // Enterprise SSO: the host's OpenID Connect client, tenants' providers as its registrations (docs/adr/0018-federation.md).
        services.AddFederationClient(configuration);
        services.AddSingleton<SsoSecrets>();
        services.AddSingleton<SsoDirectory>();
        services.AddScoped<SsoSignIn>();
        services.AddScoped<SocialSignIn>();
        services.AddScoped<SsoConnections>();
        services.PostConfigure<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme, FederatedSessions.EndWithTheirConnection);
        services.Configure<SecurityStampValidatorOptions>(options => options.OnRefreshingPrincipal = FederatedSessions.KeepProviderClaim);

        services.AddSingleton<VerifiedSecrets>();
        services.AddSingleton<ApiKeyUsage>();
        services.AddScoped<TokenClaims>();
        services.AddSingleton<IMembershipDirectory, MembershipDirectory>();
        services.AddRazorComponents(); // the sign-in pages render statically, with or without the admin console
        services.Configure<ErrorPageOptions>(pages =>
        {
            pages.Page = typeof(Account.ErrorPage);
            pages.SignOutActions[IdentityRoutes.Account] = IdentityRoutes.Logout;
        });
        services.AddSingleton<IdentitySeeder>();
        services.AddHostedService(sp => sp.GetRequiredService<IdentitySeeder>());
        services.AddHostedService<TokenPruner>();
    }

    public void MapEndpoints(IEndpointRouteBuilder api)
    {
        // Platform operators look after accounts across every tenant: reading needs users.read, changing users.manage.
        var users = api.MapGroup(IdentityRoutes.Users).WithTags("Identity: users").AcrossAllTenants();
        users.MapListUsers();
        users.MapCreateUser();
        users.MapGetUser();
        users.MapSendPasswordReset();
        users.MapConfirmUserEmail();
        users.MapListUserSessions();
        users.MapLockUser();
        users.MapUnlockUser();
        users.MapResetTwoFactor();
        users.MapSetMembership();
        users.MapRemoveMembership();
        users.MapRevokeUserSessions();
        users.MapRevokeUserSession();
        api.MapListSignUps();

        // OAuth clients as data, for platform operators.
        var clients = api.MapGroup(IdentityRoutes.Clients).WithTags("Identity: clients").RequirePermission(IdentityPermissions.ClientsManage);
        clients.MapListClients();
        clients.MapGetClient();
        clients.MapCreateClient();
        clients.MapUpdateClient();
        clients.MapRotateClientSecret();
        clients.MapDisableClient();
        clients.MapEnableClient();
        clients.MapDeleteClient();

        // The SaaS apps' own APIs: which scopes give a token which audience, and which client may introspect it.
        var resources = api.MapGroup(IdentityRoutes.ApiResources).WithTags("Identity: API resources").RequirePermission(IdentityPermissions.ClientsManage);
        resources.MapListApiResources();
        resources.MapGetApiResource();
        resources.MapCreateApiResource();
        resources.MapUpdateApiResource();
        resources.MapDeleteApiResource();

        // A tenant's own people and roles: the caller's tenant only, as resolved from its token (never AcrossAllTenants).
        var members = api.MapGroup(IdentityRoutes.TenantMembers).WithTags("Tenant: members");
        members.MapListTenantMembers();
        members.MapChangeMemberRoles();
        members.MapRemoveTenantMember();
        api.MapLeaveTenant();
        api.MapTransferOwnership();

        var invitations = api.MapGroup(IdentityRoutes.TenantInvitations).WithTags("Tenant: invitations");
        invitations.MapListInvitations();
        invitations.MapInviteMember();
        invitations.MapInviteMembers();
        invitations.MapRevokeInvitation();
        invitations.MapResendInvitation();
        api.MapAcceptInvitation();
        api.MapListMyTenants();

        var roles = api.MapGroup(IdentityRoutes.TenantRoles).WithTags("Tenant: roles");
        roles.MapListTenantRoles();
        roles.MapCreateTenantRole();
        roles.MapUpdateTenantRole();
        roles.MapDeleteTenantRole();

        var apiKeys = api.MapGroup(IdentityRoutes.TenantApiKeys).WithTags("Tenant: API keys").RequirePermission(IdentityPermissions.ApiKeysManage);
        apiKeys.MapListTenantApiKeys();
        apiKeys.MapCreateTenantApiKey();
        apiKeys.MapUpdateTenantApiKey();
        apiKeys.MapRotateTenantApiKey();
        apiKeys.MapRevokeTenantApiKey();

        // The tenant's own identity providers and the email domains that lead to them.
        var sso = api.MapGroup(IdentityRoutes.SsoConnections).WithTags("Tenant: SSO").RequirePermission(IdentityPermissions.SsoManage);
        sso.MapListSsoConnections();
        sso.MapGetSsoConnection();
        sso.MapCreateSsoConnection();
        sso.MapUpdateSsoConnection();
        sso.MapDeleteSsoConnection();
        sso.MapTestSsoConnection();
        sso.MapAddSsoDomain();
        sso.MapVerifySsoDomain();
        sso.MapConfirmSsoDomain();
        sso.MapRemoveSsoDomain();
    }

    /// <summary>OpenID Connect's endpoints and the sign-in pages have fixed paths at the root.</summary>
    public void MapRootEndpoints(IEndpointRouteBuilder root)
    {
        root.MapConnectEndpoints();
        root.MapDeviceVerificationEndpoints();
        root.MapAccountEndpoints();
    }

    private static void ConfigureKeysAndLifetimes(OpenIddictServerOptions options, IOptions<IdentitySettings> settings, IHostEnvironment environment)
    {
        var identity = settings.Value;
        if (identity.Issuer is not null)
        {
            options.Issuer = identity.Issuer;
        }

        options.AccessTokenLifetime = identity.AccessTokenLifetime;
        options.RefreshTokenLifetime = identity.RefreshTokenLifetime;
        options.DisableAccessTokenEncryption = !identity.EncryptAccessTokens;

        var signing = SigningKeys.Load(identity.SigningKeys, "Identity:SigningKeys", environment);
        var encryption = SigningKeys.Load(identity.EncryptionKeys, "Identity:EncryptionKeys", environment);
        foreach (var key in signing.DefaultIfEmpty(Ephemeral()))
        {
            options.SigningCredentials.Add(new SigningCredentials(key, SecurityAlgorithms.RsaSha256));
        }

        foreach (var key in encryption.DefaultIfEmpty(Ephemeral()))
        {
            options.EncryptionCredentials.Add(new EncryptingCredentials(key, SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes256CbcHmacSha512));
        }
    }

    /// <summary>
    /// A passkey belongs to a domain (WebAuthn's relying party id): the configured issuer's host when there is one, so
    /// a forged Host header cannot name another (as for <see cref="AccountPages.Origin"/>); otherwise Identity takes the
    /// request's host (Development, tests).
    /// </summary>
    private static void ConfigurePasskeys(IdentityPasskeyOptions passkeys, IOptions<IdentitySettings> settings)
    {
        passkeys.ServerDomain = settings.Value.Issuer?.Host;
        // A passkey sign-in stands in for the password and the second factor alike (Identity skips two-factor for it),
        // so the authenticator must verify the person (screen lock, PIN, biometrics), not only that someone touched it.
        passkeys.UserVerificationRequirement = "required";
        // Sign-in asks for no user name: only a discoverable credential can answer a request that names no account.
        passkeys.ResidentKeyRequirement = "required";
        // The origin the browser signed into the credential must be this site's. Identity's default compares it with the
        // request's Origin header, which a form post carries as "null" under the host's Referrer-Policy: no-referrer.
        passkeys.ValidateOrigin = context => ValueTask.FromResult(!context.CrossOrigin && string.Equals(
            context.Origin, settings.Value.Issuer?.GetLeftPart(UriPartial.Authority) ?? $"{context.HttpContext.Request.Scheme}://{context.HttpContext.Request.Host}",
            StringComparison.OrdinalIgnoreCase));
    }

    private static RsaSecurityKey Ephemeral() => new(RSA.Create(2048)) { KeyId = Guid.NewGuid().ToString("N") };
}
