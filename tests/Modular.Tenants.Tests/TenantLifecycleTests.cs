using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Tenants.Contracts;
using Modular.Tenants.Persistence;

namespace Modular.Tenants.Tests;

/// <summary>Suspend, reactivate, update, delete and purge, with their events and audit trail.</summary>
public sealed class TenantLifecycleTests(PostgresServer postgres)
{
    private static readonly string[] Operator = [TenantsPermissions.Manage, TenantsPermissions.Read];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_suspended_tenant_is_refused_until_reactivated_and_the_trail_records_it_all(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        var admin = host.CreateClientAs("operator", Operator);
        var tenant = await CreateAsync(admin, "acme");
        var member = host.CreateMemberClient("alice", tenant.Id.ToString());
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync(TenantsRoutes.CurrentTenant, Ct)).StatusCode);

        var suspended = await admin.PostAsJsonAsync(TenantsRoutes.Suspend(tenant.Id), new { reason = "unpaid invoices" }, Ct);
        Assert.Equal(HttpStatusCode.OK, suspended.StatusCode);
        Assert.Equal(TenantStatuses.Suspended, (await suspended.Content.ReadFromJsonAsync<TenantDto>(Ct))!.Status);

        // Refused as soon as this instance has seen the committed change (other instances: one cache period).
        await Eventually.HoldsAsync(async () => (await member.GetAsync(TenantsRoutes.CurrentTenant, Ct)).StatusCode == HttpStatusCode.Forbidden, "member refused");
        await (await member.GetAsync(TenantsRoutes.CurrentTenant, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.TenantSuspended);

        (await admin.PostAsync(TenantsRoutes.Reactivate(tenant.Id), null, Ct)).EnsureSuccessStatusCode();
        await Eventually.HoldsAsync(async () => (await member.GetAsync(TenantsRoutes.CurrentTenant, Ct)).StatusCode == HttpStatusCode.OK, "member served again");

        var trail = (await admin.GetFromJsonAsync<AuditTrailDto>(TenantsRoutes.AuditTrail(tenant.Id), Ct))!;
        Assert.True(trail.ChainIntact);
        Assert.Equal(["tenant.created", "tenant.suspended", "tenant.reactivated"], trail.Entries.Select(e => e.Action));
        Assert.Equal([1L, 2L, 3L], trail.Entries.Select(e => e.Sequence));
        Assert.All(trail.Entries, e => Assert.StartsWith("operator", e.Actor));
        Assert.Contains("unpaid invoices", trail.Entries[1].Data);
    }

    [Fact]
    public async Task Invalid_transitions_are_conflicts_and_change_nothing()
    {
        await using var host = ModularHost.OnSqlite();
        var admin = host.CreateClientAs("operator", Operator);
        var tenant = await CreateAsync(admin, "acme");

        await (await admin.PostAsync(TenantsRoutes.Reactivate(tenant.Id), null, Ct)).AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.Conflict);
        (await admin.PostAsJsonAsync(TenantsRoutes.Suspend(tenant.Id), new { reason = "x" }, Ct)).EnsureSuccessStatusCode();
        await (await admin.PostAsJsonAsync(TenantsRoutes.Suspend(tenant.Id), new { reason = "again" }, Ct)).AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.Conflict);
        var problem = await (await admin.PostAsJsonAsync(TenantsRoutes.Suspend(tenant.Id), new { reason = "" }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation);
        problem.AssertNamesField("reason");
        await (await admin.PostAsJsonAsync(TenantsRoutes.Suspend(Guid.NewGuid()), new { reason = "x" }, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);

        var now = (await admin.GetFromJsonAsync<TenantDto>(TenantsRoutes.Tenant(tenant.Id), Ct))!;
        Assert.Equal((TenantStatuses.Suspended, "x", 2), (now.Status, now.SuspensionReason, now.Version));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Of_two_renames_from_the_same_version_exactly_one_wins(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        var admin = host.CreateClientAs("operator", Operator);
        var tenant = await CreateAsync(admin, "acme");

        var responses = await Task.WhenAll(
            admin.PatchAsJsonAsync(TenantsRoutes.Tenant(tenant.Id), new { name = "Acme One", version = tenant.Version }, Ct),
            admin.PatchAsJsonAsync(TenantsRoutes.Tenant(tenant.Id), new { name = "Acme Two", version = tenant.Version }, Ct));

        var winner = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        var loser = Assert.Single(responses, r => r.StatusCode != HttpStatusCode.OK);
        await loser.AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.Conflict);
        var renamed = (await winner.Content.ReadFromJsonAsync<TenantDto>(Ct))!;
        var stored = (await admin.GetFromJsonAsync<TenantDto>(TenantsRoutes.Tenant(tenant.Id), Ct))!;
        Assert.Equal((renamed.Name, 2), (stored.Name, stored.Version));
    }

    [Fact]
    public async Task Update_changes_name_plan_and_metadata_and_rejects_bad_values()
    {
        await using var host = ModularHost.OnSqlite();
        var admin = host.CreateClientAs("operator", Operator);
        var tenant = await CreateAsync(admin, "acme");

        var updated = await admin.PatchAsJsonAsync(TenantsRoutes.Tenant(tenant.Id),
            new { name = "Acme Inc", plan = "enterprise", metadata = new Dictionary<string, string> { ["region"] = "eu" } }, Ct);
        var dto = (await updated.Content.ReadFromJsonAsync<TenantDto>(Ct))!;
        Assert.Equal(("Acme Inc", "enterprise", "eu"), (dto.Name, dto.Plan, dto.Metadata["region"]));

        var empty = await admin.PatchAsJsonAsync(TenantsRoutes.Tenant(tenant.Id), new { }, Ct);
        (await empty.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("body");
        var tooLong = await admin.PatchAsJsonAsync(TenantsRoutes.Tenant(tenant.Id), new { name = new string('n', 201) }, Ct);
        (await tooLong.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("name");
        var tooMany = Enumerable.Range(0, 51).ToDictionary(i => $"k{i}", i => "v");
        var metadata = await admin.PatchAsJsonAsync(TenantsRoutes.Tenant(tenant.Id), new { metadata = tooMany }, Ct);
        (await metadata.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("metadata");
        var stale = await admin.PatchAsJsonAsync(TenantsRoutes.Tenant(tenant.Id), new { name = "Late", version = 1 }, Ct);
        await stale.AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.Conflict);

        var trail = (await admin.GetFromJsonAsync<AuditTrailDto>(TenantsRoutes.AuditTrail(tenant.Id), Ct))!;
        Assert.Equal(["tenant.created", "tenant.renamed", "tenant.plan_changed", "tenant.metadata_changed"], trail.Entries.Select(e => e.Action));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_deleted_tenant_is_suspended_at_once_and_purged_after_its_retention(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        var admin = host.CreateClientAs("operator", Operator);
        var tenant = await CreateAsync(admin, "acme");
        var keep = await CreateAsync(admin, "globex");

        var deleting = await admin.DeleteAsync($"{TenantsRoutes.Tenant(tenant.Id)}?retentionDays=0", Ct);
        Assert.Equal(HttpStatusCode.Accepted, deleting.StatusCode);
        Assert.Equal(TenantStatuses.PendingDeletion, (await deleting.Content.ReadFromJsonAsync<TenantDto>(Ct))!.Status);
        var later = await admin.DeleteAsync($"{TenantsRoutes.Tenant(keep.Id)}?retentionDays=30", Ct);
        Assert.Equal(HttpStatusCode.Accepted, later.StatusCode);

        var purged = await host.Services.GetRequiredService<UseCases.PurgeTenant.PurgeWorker>().PurgeDueAsync(Ct);

        Assert.Equal(1, purged);
        var gone = (await admin.GetFromJsonAsync<TenantDto>(TenantsRoutes.Tenant(tenant.Id), Ct))!;
        Assert.Equal((TenantStatuses.Deleted, "(deleted)"), (gone.Status, gone.Name));
        Assert.Equal(TenantStatuses.PendingDeletion, (await admin.GetFromJsonAsync<TenantDto>(TenantsRoutes.Tenant(keep.Id), Ct))!.Status);
        await Eventually.HoldsAsync(async () =>
        {
            await using var scope = host.Services.CreateAsyncScope();
            var outbox = await scope.ServiceProvider.GetRequiredService<TenantsDbContext>().OutboxMessages.AsNoTracking().ToListAsync(Ct);
            return outbox.Any(m => m.Type.Contains(nameof(TenantPurged), StringComparison.Ordinal) && m.ProcessedAt is not null);
        }, "TenantPurged published");

        // Deleted is final; a pending deletion can be cancelled.
        await (await admin.PostAsync(TenantsRoutes.Reactivate(tenant.Id), null, Ct)).AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.Conflict);
        (await admin.PostAsync(TenantsRoutes.Reactivate(keep.Id), null, Ct)).EnsureSuccessStatusCode();
        var retention = await admin.DeleteAsync($"{TenantsRoutes.Tenant(keep.Id)}?retentionDays=-1", Ct);
        (await retention.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("retentionDays");
    }

    [Fact]
    public async Task A_failing_provisioning_step_leaves_no_tenant_and_undoes_the_steps_before_it()
    {
        var first = new RecordingStep();
        await using var host = ModularHost.OnSqlite().WithServices(services =>
        {
            services.AddSingleton<ITenantProvisioningStep>(first);
            services.AddSingleton<ITenantProvisioningStep>(new FailingStep());
        });
        var admin = host.CreateClientAs("operator", Operator);

        var response = await admin.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug = "acme", name = "Acme" }, Ct);

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "urn:modular:problem:tenant-provisioning-failed");
        Assert.DoesNotContain("quota service", problem.ToString()); // the step's own error stays in the log
        Assert.Equal(["provision acme", "undo acme"], first.Calls);
        Assert.Equal(0, (await admin.GetFromJsonAsync<TenantPage>(TenantsRoutes.Tenants, Ct))!.Total);
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TenantsDbContext>();
        Assert.False(await db.OutboxMessages.AnyAsync(Ct));
        Assert.False(await db.AuditEntries.IgnoreQueryFilters().AnyAsync(Ct));
    }

    internal static async Task<TenantDto> CreateAsync(HttpClient admin, string slug)
    {
        var response = await admin.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug, name = slug.ToUpperInvariant() }, Ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<TenantDto>(Ct))!;
    }

    private sealed class RecordingStep : ITenantProvisioningStep
    {
        public List<string> Calls { get; } = [];

        public Task ProvisionAsync(NewTenant tenant, CancellationToken cancellationToken)
        {
            Calls.Add("provision " + tenant.Slug);
            return Task.CompletedTask;
        }

        public Task UndoAsync(NewTenant tenant, CancellationToken cancellationToken)
        {
            Calls.Add("undo " + tenant.Slug);
            return Task.CompletedTask;
        }
    }

    private sealed class FailingStep : ITenantProvisioningStep
    {
        public Task ProvisionAsync(NewTenant tenant, CancellationToken cancellationToken) =>
            throw new HttpRequestException("quota service unreachable");

        public Task UndoAsync(NewTenant tenant, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
