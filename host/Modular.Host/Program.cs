//#if (admin)
using Modular.Admin;
//#endif
using Modular.Host;
using Modular.Host.Hosting;
using Modular.Kernel.Modules;

var builder = WebApplication.CreateBuilder(args);
builder.AddPlatformDefaults();
builder.AddModules(Modules.All);
builder.Services.AddModuleMessaging();
//#if (admin)
builder.Services.AddAdminConsole(builder.Configuration);
//#endif

var app = builder.Build();
if (await app.MigrateDatabasesAsync(args) == MigrationOutcome.ExitAfterMigrating)
{
    return;
}

app.UsePlatformDefaults();
app.MapPlatformEndpoints();
app.MapModules();
//#if (admin)
app.MapAdminConsole();
//#endif
app.Run();

/// <summary>Entry point, public for WebApplicationFactory in the tests.</summary>
public partial class Program;
