using System.Collections;
using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;

namespace Modular.Kernel.Messaging;

/// <summary>
/// What JSON binding lets through that a message's own types rule out: a null where the type declares a
/// value (a missing or <c>null</c> field), and U+0000 in text, which PostgreSQL can neither store nor take as
/// a query parameter. Both would otherwise reach validators and handlers that rightly assume neither, and end
/// as a 500. The message is walked whole (properties, lists, dictionaries, nested records), so every way in
/// is covered at once: JSON bodies, query and route values, the admin console.
/// </summary>
internal static class MessageShape
{
    public const string Required = "Required.";
    public const string NulCharacter = "Must not contain the NUL character (U+0000).";

    private const int MaxDepth = 8;

    private static readonly ConcurrentDictionary<Type, Member[]> Members = new();

    /// <summary>The fields at fault by JSON name ("timeZone", "charges[0].meter", "headers.X-Key"), each with its message.</summary>
    public static Dictionary<string, string[]> Problems(object message)
    {
        var problems = new Dictionary<string, string[]>();
        Walk(message, "", problems, 0);
        return problems;
    }

    /// <param name="itemsRequired">The declared type of <paramref name="value"/>'s items (a list's, a dictionary's values) rules out null.</param>
    private static void Walk(object? value, string path, Dictionary<string, string[]> problems, int depth, bool itemsRequired = false)
    {
        switch (value)
        {
            case null:
                return;
            case string text:
                if (text.Contains('\0', StringComparison.Ordinal))
                {
                    problems[path] = [NulCharacter];
                }

                return;
            case IDictionary dictionary when depth < MaxDepth:
                foreach (DictionaryEntry entry in dictionary)
                {
                    var key = entry.Key as string ?? "";
                    Walk(key, path, problems, depth + 1);
                    Item(entry.Value, key.Contains('\0', StringComparison.Ordinal) ? path : $"{path}.{key}");
                }

                return;
            case IEnumerable items when depth < MaxDepth:
                var index = 0;
                foreach (var item in items)
                {
                    Item(item, $"{path}[{index++}]");
                }

                return;
        }

        // Messages and their parts are the modules' own types; the rest (JsonElement, Guid, dates) holds no text to check.
        var type = value.GetType();
        if (depth >= MaxDepth || type.IsPrimitive || type.IsEnum || type.Namespace?.StartsWith("Modular.", StringComparison.Ordinal) != true)
        {
            return;
        }

        foreach (var member in Members.GetOrAdd(type, MembersOf))
        {
            var field = path.Length == 0 ? member.Name : $"{path}.{member.Name}";
            var memberValue = member.Get(value);
            if (memberValue is null && member.IsRequired)
            {
                problems[field] = [Required];
            }

            Walk(memberValue, field, problems, depth + 1, member.ItemsRequired);
        }

        void Item(object? item, string itemPath)
        {
            if (item is null && itemsRequired)
            {
                problems[itemPath] = [Required];
            }

            Walk(item, itemPath, problems, depth + 1);
        }
    }

    private sealed record Member(string Name, Func<object, object?> Get, bool IsRequired, bool ItemsRequired);

    /// <summary>
    /// The type's public properties: JSON (camelCase) name, a compiled getter, and whether null breaks its declared
    /// type, or that of its items (a list's elements, a dictionary's values).
    /// </summary>
    private static Member[] MembersOf(Type type)
    {
        var nullability = new NullabilityInfoContext();
        return
        [
            .. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod is not null && p.PropertyType != typeof(Type))
                .Select(p =>
                {
                    var instance = Expression.Parameter(typeof(object));
                    var read = Expression.Convert(Expression.Property(Expression.Convert(instance, type), p), typeof(object));
                    var info = nullability.Create(p);
                    var items = info.ElementType ?? info.GenericTypeArguments.LastOrDefault();
                    return new Member(
                        char.ToLowerInvariant(p.Name[0]) + p.Name[1..],
                        Expression.Lambda<Func<object, object?>>(read, instance).Compile(),
                        IsRequired: !p.PropertyType.IsValueType && info.ReadState == NullabilityState.NotNull,
                        ItemsRequired: items is { Type.IsValueType: false, ReadState: NullabilityState.NotNull });
                }),
        ];
    }
}
