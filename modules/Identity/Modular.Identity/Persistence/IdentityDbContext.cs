using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Modular.Identity.Domain;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using OpenIddict.EntityFrameworkCore.Models;

namespace Modular.Identity.Persistence;

/// <summary>
/// Users and their platform roles (ASP.NET Core Identity's tables, configured here because the context
/// derives from the kernel's <see cref="ModuleDbContext"/>), and their tenant memberships.
/// </summary>
public sealed class IdentityDbContext(DbContextOptions<IdentityDbContext> options, ITenantContext tenantContext)
    : ModuleDbContext(options, tenantContext), IDataProtectionKeyContext
{
    public const string SchemaName = "identity";

    public override string Schema => SchemaName;

    public DbSet<User> Users => Set<User>();

    public DbSet<Role> Roles => Set<Role>();

    public DbSet<IdentityUserRole<Guid>> UserRoles => Set<IdentityUserRole<Guid>>();

    public DbSet<Membership> Memberships => Set<Membership>();

    /// <summary>The roles each tenant made for itself; memberships hold them by name.</summary>
    public DbSet<TenantRole> TenantRoles => Set<TenantRole>();

    /// <summary>Visitors' sign-ups: an account and the tenant it owns, pending until the email is confirmed.</summary>
    public DbSet<SignUp> SignUps => Set<SignUp>();

    /// <summary>Invitations to join a tenant, each with the hash of its link's token.</summary>
    public DbSet<Invitation> Invitations => Set<Invitation>();

    /// <summary>The tenants' API keys: which OpenIddict clients are a tenant's, with their names and last use.</summary>
    public DbSet<TenantApiKey> TenantApiKeys => Set<TenantApiKey>();

    /// <summary>The tenants' own identity providers (enterprise SSO), and the email domains they claim.</summary>
    public DbSet<SsoConnection> SsoConnections => Set<SsoConnection>();

    public DbSet<SsoDomain> SsoDomains => Set<SsoDomain>();

    /// <summary>The key ring that protects cookies and antiforgery tokens, shared by every instance.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>Account emails, as sent or (without an SMTP server) only recorded: the operator's view of the mailbox.</summary>
    public DbSet<OutgoingEmail> OutgoingEmails => Set<OutgoingEmail>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<User>(user =>
        {
            user.ToTable("users");
            user.HasKey(u => u.Id);
            user.HasIndex(u => u.NormalizedUserName).IsUnique();
            user.HasIndex(u => u.NormalizedEmail);
            user.Property(u => u.UserName).HasMaxLength(256);
            user.Property(u => u.NormalizedUserName).HasMaxLength(256);
            user.Property(u => u.Email).HasMaxLength(256);
            user.Property(u => u.NormalizedEmail).HasMaxLength(256);
            user.Property(u => u.DisplayName).HasMaxLength(User.DisplayNameMaxLength);
            user.Property(u => u.ConcurrencyStamp).IsConcurrencyToken();
        });
        modelBuilder.Entity<Role>(role =>
        {
            role.ToTable("roles");
            role.HasKey(r => r.Id);
            role.HasIndex(r => r.NormalizedName).IsUnique();
            role.Property(r => r.Name).HasMaxLength(256);
            role.Property(r => r.NormalizedName).HasMaxLength(256);
            role.Property(r => r.ConcurrencyStamp).IsConcurrencyToken();
        });
        modelBuilder.Entity<IdentityUserRole<Guid>>(link =>
        {
            link.ToTable("user_roles");
            link.HasKey(l => new { l.UserId, l.RoleId });
            link.HasOne<User>().WithMany().HasForeignKey(l => l.UserId).OnDelete(DeleteBehavior.Cascade);
            link.HasOne<Role>().WithMany().HasForeignKey(l => l.RoleId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<IdentityUserClaim<Guid>>(claim =>
        {
            claim.ToTable("user_claims");
            claim.HasKey(c => c.Id);
            claim.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<IdentityUserLogin<Guid>>(login =>
        {
            login.ToTable("user_logins");
            login.HasKey(l => new { l.LoginProvider, l.ProviderKey });
            login.Property(l => l.LoginProvider).HasMaxLength(128);
            login.Property(l => l.ProviderKey).HasMaxLength(128);
            login.HasOne<User>().WithMany().HasForeignKey(l => l.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<IdentityUserToken<Guid>>(token =>
        {
            token.ToTable("user_tokens");
            token.HasKey(t => new { t.UserId, t.LoginProvider, t.Name });
            token.Property(t => t.LoginProvider).HasMaxLength(128);
            token.Property(t => t.Name).HasMaxLength(128);
            token.HasOne<User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        // Passkeys (WebAuthn credentials), as Identity's own schema version 3 maps them; by hand, for this context
        // derives from the kernel's module context, not from Identity's.
        modelBuilder.Entity<IdentityUserPasskey<Guid>>(passkey =>
        {
            passkey.ToTable("user_passkeys");
            passkey.HasKey(p => p.CredentialId);
            passkey.Property(p => p.CredentialId).HasMaxLength(1024);
            passkey.OwnsOne(p => p.Data).ToJson();
            passkey.HasOne<User>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<IdentityRoleClaim<Guid>>(claim =>
        {
            claim.ToTable("role_claims");
            claim.HasKey(c => c.Id);
            claim.HasOne<Role>().WithMany().HasForeignKey(c => c.RoleId).OnDelete(DeleteBehavior.Cascade);
        });
        // OpenIddict's applications, authorizations, scopes and tokens, in this schema too.
        modelBuilder.UseOpenIddict<Guid>();
        modelBuilder.Entity<OpenIddictEntityFrameworkCoreApplication<Guid>>().ToTable("oidc_applications");
        modelBuilder.Entity<OpenIddictEntityFrameworkCoreAuthorization<Guid>>().ToTable("oidc_authorizations");
        modelBuilder.Entity<OpenIddictEntityFrameworkCoreScope<Guid>>().ToTable("oidc_scopes");
        modelBuilder.Entity<OpenIddictEntityFrameworkCoreToken<Guid>>().ToTable("oidc_tokens");

        modelBuilder.Entity<DataProtectionKey>().ToTable("data_protection_keys");

        modelBuilder.Entity<Membership>(membership =>
        {
            membership.ToTable("memberships");
            membership.HasKey(m => m.Id);
            membership.HasIndex(m => new { m.TenantId, m.UserId }).IsUnique();
            membership.HasIndex(m => m.UserId);
            membership.HasOne<User>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<TenantRole>(role =>
        {
            role.ToTable("tenant_roles");
            role.HasKey(r => r.Id);
            role.HasIndex(r => new { r.TenantId, r.Name }).IsUnique();
            role.Property(r => r.Name).HasMaxLength(TenantRole.NameMaxLength);
            role.Property(r => r.Description).HasMaxLength(TenantRole.DescriptionMaxLength);
        });

        modelBuilder.Entity<SignUp>(signUp =>
        {
            signUp.ToTable("sign_ups");
            signUp.HasKey(s => s.Id);
            signUp.HasIndex(s => s.UserId);
            signUp.HasIndex(s => s.TenantId);
            signUp.Property(s => s.Email).HasMaxLength(OutgoingEmail.AddressMaxLength);
            signUp.Property(s => s.OrganizationName).HasMaxLength(SignUp.OrganizationNameMaxLength);
            signUp.Property(s => s.Slug).HasMaxLength(SignUp.SlugMaxLength);
            signUp.Property(s => s.ClientAddress).HasMaxLength(SignUp.AddressMaxLength);
        });

        modelBuilder.Entity<Invitation>(invitation =>
        {
            invitation.ToTable("invitations");
            invitation.HasKey(i => i.Id);
            invitation.HasIndex(i => new { i.TenantId, i.NormalizedEmail });
            invitation.Property(i => i.Email).HasMaxLength(OutgoingEmail.AddressMaxLength);
            invitation.Property(i => i.NormalizedEmail).HasMaxLength(OutgoingEmail.AddressMaxLength);
            invitation.Property(i => i.InvitedBy).HasMaxLength(200);
            invitation.Property(i => i.TokenHash).HasMaxLength(Invitation.TokenHashLength);
            invitation.Property(i => i.State).HasConversion<string>().HasMaxLength(20);
        });

        modelBuilder.Entity<TenantApiKey>(key =>
        {
            key.ToTable("tenant_api_keys");
            key.HasKey(k => k.Id);
            key.HasIndex(k => k.ClientId).IsUnique();
            key.HasIndex(k => new { k.TenantId, k.CreatedAt });
            key.Property(k => k.ClientId).HasMaxLength(100);
            key.Property(k => k.Name).HasMaxLength(TenantApiKey.NameMaxLength);
            key.Property(k => k.CreatedBy).HasMaxLength(TenantApiKey.CreatedByMaxLength);
        });

        modelBuilder.Entity<SsoConnection>(connection =>
        {
            connection.ToTable("sso_connections");
            connection.HasKey(c => c.Id);
            connection.HasIndex(c => c.TenantId);
            connection.Property(c => c.Name).HasMaxLength(SsoConnection.NameMaxLength);
            connection.Property(c => c.Issuer).HasMaxLength(SsoConnection.IssuerMaxLength);
            connection.Property(c => c.ClientId).HasMaxLength(SsoConnection.ClientIdMaxLength);
            connection.Property(c => c.EmailClaim).HasMaxLength(SsoConnection.ClaimNameMaxLength);
            connection.Property(c => c.NameClaim).HasMaxLength(SsoConnection.ClaimNameMaxLength);
            connection.Property(c => c.GroupsClaim).HasMaxLength(SsoConnection.ClaimNameMaxLength);
            connection.Property(c => c.LastError).HasMaxLength(SsoConnection.ErrorMaxLength);
            connection.Property(c => c.Version).IsConcurrencyToken();
            connection.OwnsMany(c => c.GroupRoles, roles => roles.ToJson());
        });

        modelBuilder.Entity<SsoDomain>(domain =>
        {
            domain.ToTable("sso_domains");
            domain.HasKey(d => d.Id);
            domain.HasIndex(d => new { d.ConnectionId, d.Domain }).IsUnique();
            // One tenant at most owns a domain; pending claims may coexist until one is proved.
            domain.HasIndex(d => d.Domain).IsUnique().HasFilter("verified_at IS NOT NULL").HasDatabaseName("ix_sso_domains_verified_domain");
            domain.Property(d => d.Domain).HasMaxLength(SsoDomain.DomainMaxLength);
            domain.Property(d => d.VerificationToken).HasMaxLength(32);
            domain.Property(d => d.VerifiedBy).HasMaxLength(SsoDomain.VerifiedByMaxLength);
            domain.HasOne<SsoConnection>().WithMany().HasForeignKey(d => d.ConnectionId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<OutgoingEmail>(email =>
        {
            email.ToTable("outgoing_emails");
            email.HasKey(e => e.Id);
            email.Property(e => e.To).HasMaxLength(OutgoingEmail.AddressMaxLength);
            email.Property(e => e.Subject).HasMaxLength(OutgoingEmail.SubjectMaxLength);
            email.Property(e => e.Kind).HasMaxLength(OutgoingEmail.KindMaxLength);
            email.Property(e => e.Status).HasConversion<string>().HasMaxLength(20);
        });
    }
}

/// <summary>For <c>dotnet ef migrations add</c>; see eng/add-migration.sh.</summary>
internal sealed class IdentityDesignTimeFactory() : ModuleDesignTimeFactory<IdentityDbContext>(IdentityDbContext.SchemaName)
{
    protected override IdentityDbContext Create(DbContextOptions<IdentityDbContext> options) => new(options, new TenantScope());
}
