using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Errors;
using Modular.Kernel.Messaging;
using Modular.Kernel.Outbox;
using Modular.Kernel.Persistence;

namespace Modular.Kernel.Tests;

public sealed record MakeWidget(string Name) : ICommand<Guid>;

public sealed class MakeWidgetValidator : AbstractValidator<MakeWidget>
{
    public MakeWidgetValidator() => RuleFor(c => c.Name).NotEmpty().MaximumLength(10);
}

public sealed class UnitOfWorkTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_command_saves_its_change_and_its_event_together()
    {
        await using var services = await StartAsync();
        var signal = services.GetRequiredService<OutboxSignal>();
        var woken = signal.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        await using (var scope = services.CreateAsyncScope())
        {
            var behavior = new UnitOfWorkBehavior<MakeWidget, Guid>(scope.ServiceProvider);
            await behavior.Handle(new MakeWidget("gear"), (command, _) => MakeAsync(scope, command), Ct);
        }

        Assert.True(await woken, "the outbox worker should be woken rather than wait for its next poll");
        await using var check = services.CreateAsyncScope();
        var db = check.ServiceProvider.GetRequiredService<WidgetsDbContext>();
        Assert.Equal("gear", (await db.Widgets.SingleAsync(Ct)).Name);
        Assert.Single(await db.OutboxMessages.ToListAsync(Ct));
    }

    [Fact]
    public async Task A_command_that_fails_saves_neither_its_change_nor_its_event()
    {
        await using var services = await StartAsync();
        await using (var scope = services.CreateAsyncScope())
        {
            var behavior = new UnitOfWorkBehavior<MakeWidget, Guid>(scope.ServiceProvider);
            await Assert.ThrowsAsync<ConflictException>(async () => await behavior.Handle(new MakeWidget("gear"), async (command, _) =>
            {
                await MakeAsync(scope, command);
                throw new ConflictException("changed my mind");
            }, Ct));
        }

        await using var check = services.CreateAsyncScope();
        var db = check.ServiceProvider.GetRequiredService<WidgetsDbContext>();
        Assert.False(await db.Widgets.AnyAsync(Ct));
        Assert.False(await db.OutboxMessages.AnyAsync(Ct));
    }

    [Fact]
    public async Task Invalid_input_never_reaches_the_handler_and_names_each_bad_field()
    {
        var behavior = new ValidationBehavior<MakeWidget, Guid>([new MakeWidgetValidator()]);
        var reached = false;

        var error = await Assert.ThrowsAsync<RequestValidationException>(async () => await behavior.Handle(new MakeWidget(""), (_, _) =>
        {
            reached = true;
            return ValueTask.FromResult(Guid.Empty);
        }, Ct));

        Assert.False(reached);
        Assert.Equal(["name"], error.Errors.Keys);
    }

    private async Task<ServiceProvider> StartAsync()
    {
        var services = WidgetsModule.Build(DatabaseProvider.Postgres, await postgres.CreateDatabaseAsync(), new RecordingPublisher());
        await services.CreateSchemaAsync();
        return services;
    }

    private static ValueTask<Guid> MakeAsync(AsyncServiceScope scope, MakeWidget command)
    {
        var db = scope.ServiceProvider.GetRequiredService<WidgetsDbContext>();
        var widget = new Widget { Name = command.Name };
        db.Widgets.Add(widget);
        db.Publish(new WidgetMade(widget.Id, widget.Name), DateTimeOffset.UtcNow);
        return ValueTask.FromResult(widget.Id);
    }
}
