using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Orders.Contracts;
using Modular.Orders.Persistence;

namespace Modular.Orders.Tests;

/// <summary>The Orders API through the whole host pipeline, on SQLite and on PostgreSQL.</summary>
public sealed class OrdersApiTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [Trait("Category", "Smoke")]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Create_stores_the_Order_and_publishes_its_event_through_the_outbox(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        var client = host.CreateClientAs("operator", OrdersPermissions.Manage);

        var response = await client.PostAsJsonAsync(OrdersRoutes.Orders, new { name = "  First  " }, Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<OrderDto>(Ct))!;
        Assert.Equal("First", created.Name);
        await WaitUntilAsync(async () =>
        {
            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
            Assert.Equal(created.Id, Assert.Single(await db.Orders.AsNoTracking().ToListAsync(Ct)).Id);
            var message = Assert.Single(await db.OutboxMessages.AsNoTracking().ToListAsync(Ct));
            Assert.Contains(nameof(OrderCreated), message.Type);
            return message.ProcessedAt is not null;
        });
    }

    [Fact]
    [Trait("Category", "Smoke")]
    public async Task A_blank_name_is_a_validation_problem_and_a_caller_without_the_permission_is_forbidden()
    {
        await using var host = ModularHost.OnSqlite();

        var invalid = await host.CreateClientAs("operator", OrdersPermissions.Manage).PostAsJsonAsync(OrdersRoutes.Orders, new { name = " " }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var problem = await invalid.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(ProblemTypes.Validation, problem.GetProperty("type").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("name", out _), $"errors should name 'name': {problem}");

        var forbidden = await host.CreateClientAs("reader", OrdersPermissions.Read).PostAsJsonAsync(OrdersRoutes.Orders, new { name = "Second" }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 30 s");
            await Task.Delay(100, Ct);
        }
    }
}
