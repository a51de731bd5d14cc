namespace Modular.Identity.Contracts;

/// <summary>
/// The module's paths, written once: its endpoints map their groups from these, and tests, console pages and
/// <c>Location</c> headers build their links with them. (OpenID Connect's endpoints and the sign-in pages have
/// fixed paths at the root.)
/// </summary>
public static class IdentityRoutes
{
    /// <summary>Platform operators' API: user accounts across every tenant.</summary>
    public const string Users = "/api/v1/identity/users";

    /// <summary>Platform operators' API: OAuth clients as data.</summary>
    public const string Clients = "/api/v1/identity/clients";

    /// <summary>Platform operators' API: the SaaS apps' own APIs, whose scopes give tokens their audience.</summary>
    public const string ApiResources = "/api/v1/identity/resources";

    /// <summary>A tenant's own API: the caller's tenant, from its token, never from the path.</summary>
    private const string CurrentTenant = "/api/v1/tenant";

    /// <summary>The caller's tenant's members, with their roles.</summary>
    public const string TenantMembers = CurrentTenant + "/members";

    /// <summary>The caller's tenant's roles: the built-in ones and its own.</summary>
    public const string TenantRoles = CurrentTenant + "/roles";

    /// <summary>The caller's tenant's API keys: client-credentials clients bound to it.</summary>
    public const string TenantApiKeys = CurrentTenant + "/api-keys";

    /// <summary>The caller leaves its tenant.</summary>
    public const string LeaveTenant = CurrentTenant + "/leave";

    /// <summary>An owner hands ownership of the tenant to another member.</summary>
    public const string TransferOwnership = CurrentTenant + "/transfer-ownership";

    /// <summary>The caller's tenant's invitations.</summary>
    public const string TenantInvitations = CurrentTenant + "/invitations";

    /// <summary>The caller's tenant's own identity providers (enterprise SSO).</summary>
    public const string SsoConnections = CurrentTenant + "/sso/connections";

    public const string BulkInvitations = TenantInvitations + "/bulk";

    /// <summary>A signed-in user accepts an invitation by its id and token (for apps; the mailed link opens <see cref="AcceptInvitationPage"/>).</summary>
    public const string AcceptInvitation = "/api/v1/invitations/accept";

    /// <summary>The signed-in user's tenants (<c>GET</c>).</summary>
    public const string MyTenants = "/api/v1/me/tenants";

    public static string SsoConnection(Guid id) => $"{SsoConnections}/{id}";

    public static string TestSsoConnection(Guid id) => $"{SsoConnection(id)}/test";

    public static string SsoDomains(Guid connectionId) => $"{SsoConnection(connectionId)}/domains";

    public static string SsoDomain(Guid connectionId, Guid domainId) => $"{SsoDomains(connectionId)}/{domainId}";

    public static string VerifySsoDomain(Guid connectionId, Guid domainId) => $"{SsoDomain(connectionId, domainId)}/verify";

    public static string ConfirmSsoDomain(Guid connectionId, Guid domainId) => $"{SsoDomain(connectionId, domainId)}/confirm";

    public static string TenantInvitation(Guid id) => $"{TenantInvitations}/{id}";

    public static string RevokeInvitation(Guid id) => $"{TenantInvitation(id)}/revoke";

    public static string ResendInvitation(Guid id) => $"{TenantInvitation(id)}/resend";

    public static string TenantMember(Guid userId) => $"{TenantMembers}/{userId}";

    public static string TenantMemberRoles(Guid userId) => $"{TenantMember(userId)}/roles";

    public static string TenantRole(string name) => $"{TenantRoles}/{Uri.EscapeDataString(name)}";

    public static string TenantApiKey(string clientId) => $"{TenantApiKeys}/{Uri.EscapeDataString(clientId)}";

    public static string RotateTenantApiKey(string clientId) => $"{TenantApiKey(clientId)}/rotate";

    /// <summary>The console's user list.</summary>
    public const string ConsoleUsers = "/admin/identity/users";

    /// <summary>The console's client list.</summary>
    public const string ConsoleClients = "/admin/identity/clients";

    public const string ConsoleNewClient = ConsoleClients + "/new";

    public const string ConsoleApiResources = "/admin/identity/resources";

    /// <summary>The console's view of the account emails the platform sent.</summary>
    public const string ConsoleOutgoingEmails = "/admin/identity/emails";

    /// <summary>The organization area: a tenant's own people manage their tenant there (the tenant is the session's).</summary>
    public const string Organization = "/org";

    /// <summary>The organization area's members and invitations.</summary>
    public const string OrganizationMembers = Organization + "/members";

    /// <summary>The organization area's roles: built-in and the tenant's own.</summary>
    public const string OrganizationRoles = Organization + "/roles";

    /// <summary>The organization area's API keys.</summary>
    public const string OrganizationApiKeys = Organization + "/api-keys";

    /// <summary>The organization area's single sign-on: the tenant's own identity providers and their domains.</summary>
    public const string OrganizationSso = Organization + "/sso";

    /// <summary>Platform operators' API: organisations that signed themselves up.</summary>
    public const string SignUps = "/api/v1/identity/sign-ups";

    /// <summary>The console's list of sign-ups.</summary>
    public const string ConsoleSignUps = "/admin/identity/sign-ups";

    /// <summary>The console's form posts that start (<c>POST</c>) and end an impersonation session (it sets the console's cookie).</summary>
    public const string ConsoleImpersonation = "/admin/impersonation";

    public const string ConsoleEndImpersonation = ConsoleImpersonation + "/end";

    public static string User(Guid id) => $"{Users}/{id}";

    public static string LockUser(Guid id) => $"{User(id)}/lock";

    public static string UnlockUser(Guid id) => $"{User(id)}/unlock";

    public static string ResetTwoFactor(Guid id) => $"{User(id)}/reset-two-factor";

    public static string Membership(Guid userId, Guid tenantId) => $"{User(userId)}/memberships/{tenantId}";

    public static string UserSessions(Guid id) => $"{User(id)}/sessions";

    public static string UserSession(Guid id, Guid sessionId) => $"{UserSessions(id)}/{sessionId}";

    public static string Client(string clientId) => $"{Clients}/{Uri.EscapeDataString(clientId)}";

    public static string ApiResource(string name) => $"{ApiResources}/{Uri.EscapeDataString(name)}";

    public static string RotateClientSecret(string clientId) => $"{Client(clientId)}/rotate-secret";

    public static string DisableClient(string clientId) => $"{Client(clientId)}/disable";

    public static string EnableClient(string clientId) => $"{Client(clientId)}/enable";

    public static string ConsoleUser(Guid id) => $"{ConsoleUsers}/{id}";

    public static string ConsoleClient(string clientId) => $"{ConsoleClients}/{Uri.EscapeDataString(clientId)}";

    /// <summary>The account pages: sign-in, registration, password reset, and the signed-in user's own settings.</summary>
    public const string Account = "/account";

    public const string Login = Account + "/login";

    /// <summary>The sign-in page's first step: the email address, which may lead to the organisation's own provider.</summary>
    public const string LoginIdentify = Login + "/identify";

    /// <summary>Sign-in at GitHub, Google or Microsoft (<c>POST</c>, the provider's name in the form), when configured.</summary>
    public const string LoginExternal = Login + "/external";

    /// <summary>A visitor creates an account and an organisation (when <c>Identity:SignUp:Mode</c> is <c>open</c>).</summary>
    public const string SignUp = Account + "/sign-up";

    /// <summary>The second sign-in step, for an account with two-factor authentication on.</summary>
    public const string LoginTwoFactor = Account + "/login-2fa";

    public const string Logout = Account + "/logout";

    public const string AccessDenied = Account + "/denied";

    public const string Register = Account + "/register";

    public const string ConfirmEmail = Account + "/confirm-email";

    public const string ResendConfirmation = Account + "/resend-confirmation";

    public const string ForgotPassword = Account + "/forgot-password";

    public const string ResetPassword = Account + "/reset-password";

    public const string ConfirmEmailChange = Account + "/confirm-email-change";

    /// <summary>Where the mailed link to connect a provider's login to an existing account lands.</summary>
    public const string ConfirmExternalLogin = Account + "/confirm-login";

    /// <summary>Where an invitation's mailed link lands (<c>?id=..&amp;token=..</c>).</summary>
    public const string AcceptInvitationPage = Account + "/invitations/accept";

    /// <summary>The signed-in user's own account.</summary>
    public const string Manage = Account + "/manage";

    public const string ChangePassword = Manage + "/password";

    public const string ChangeEmail = Manage + "/email";

    public const string TwoFactor = Manage + "/two-factor";

    public const string EnableTwoFactor = TwoFactor + "/enable";

    public const string DisableTwoFactor = TwoFactor + "/disable";

    /// <summary>A new authenticator key: the old app's codes stop working.</summary>
    public const string ResetAuthenticator = TwoFactor + "/reset";

    public const string RecoveryCodes = TwoFactor + "/recovery-codes";

    /// <summary>The signed-in user's passkeys: the list and its "add" form (<c>GET</c>), a new one's credential (<c>POST</c>).</summary>
    public const string Passkeys = Manage + "/passkeys";

    public const string RenamePasskey = Passkeys + "/rename";

    public const string RemovePasskey = Passkeys + "/remove";

    /// <summary>The signed-in user's sign-ins through other services (GitHub, Google, Microsoft, their organisation's provider).</summary>
    public const string ExternalLogins = Manage + "/logins";

    public const string ConnectExternalLogin = ExternalLogins + "/connect";

    public const string RemoveExternalLogin = ExternalLogins + "/remove";

    /// <summary>WebAuthn options for a new passkey of the signed-in user (<c>POST</c>, antiforgery token in a header; JSON).</summary>
    public const string PasskeyCreationOptions = Account + "/passkey/creation-options";

    /// <summary>WebAuthn options for signing in with any passkey of this site (<c>POST</c>, anonymous, antiforgery token in a header; JSON).</summary>
    public const string PasskeyRequestOptions = Account + "/passkey/request-options";

    /// <summary>Signs in with the credential the browser's passkey prompt returned.</summary>
    public const string LoginWithPasskey = Login + "/passkey";
}

/// <summary>Parameters of the provider's authorize request beyond OpenID Connect's.</summary>
public static class AuthorizeParameters
{
    /// <summary>Which of the user's tenants the token is for (id or slug); refused when the user is not a member.</summary>
    public const string Tenant = "tenant";
}
