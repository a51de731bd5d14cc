using System.Reflection;
using Mediator;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;

namespace Modular.Architecture.Tests;

/// <summary>
/// A Blazor circuit lives as long as the browser tab, and so does every scoped service a console component
/// injects. A component that held the mediator or a DbContext would run every operation in one long-lived
/// scope (stale entities, a failed change left tracked for the next command to save); the console sends
/// through <c>ScopedSender</c>, one scope per operation, instead.
/// </summary>
[Trait("Category", "Smoke")]
public sealed class ConsoleComponentTests
{
    /// <summary>Every assembly that holds console pages: each module's implementation, and the admin shell.</summary>
    public static TheoryData<string> ComponentAssemblies
    {
        get
        {
            TheoryData<string> assemblies = [.. ModuleBoundaryTests.ModuleProjects.Select(row => row.Data)];
            //#if (admin)
            assemblies.Add("Modular.Admin");
            //#endif
            return assemblies;
        }
    }

    [Fact]
    public void The_rule_sees_the_components_and_what_they_inject()
    {
        var injected = InjectedMembers(Assembly.Load("Modular.Tenants")).ToList();
        Assert.Contains(injected, m => m.Component.Name == "TenantList");
    }

    [Theory]
    [MemberData(nameof(ComponentAssemblies))]
    public void No_component_injects_the_mediator_or_a_DbContext(string assembly)
    {
        var offending = InjectedMembers(Assembly.Load(assembly))
            .Where(m => IsOperationScoped(m.Property.PropertyType))
            .Select(m => $"{m.Component.FullName}.{m.Property.Name} ({m.Property.PropertyType.Name})")
            .ToList();
        Assert.True(offending.Count == 0,
            $"These console components inject what belongs to one operation into the circuit's scope: {string.Join(", ", offending)}. Inject ScopedSender and send through it.");
    }

    private static bool IsOperationScoped(Type type) =>
        typeof(ISender).IsAssignableFrom(type) || typeof(IPublisher).IsAssignableFrom(type) || typeof(DbContext).IsAssignableFrom(type);

    /// <summary>The <c>[Inject]</c> properties of every component (Razor's <c>@inject</c> compiles to them), base classes' included.</summary>
    private static IEnumerable<(Type Component, PropertyInfo Property)> InjectedMembers(Assembly assembly) =>
        from component in assembly.GetTypes()
        where typeof(IComponent).IsAssignableFrom(component) && !component.IsAbstract
        from type in Hierarchy(component)
        from property in type.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
        where property.IsDefined(typeof(InjectAttribute), inherit: false)
        select (component, property);

    private static IEnumerable<Type> Hierarchy(Type type)
    {
        for (var current = type; current is not null && current != typeof(object); current = current.BaseType)
        {
            yield return current;
        }
    }
}
