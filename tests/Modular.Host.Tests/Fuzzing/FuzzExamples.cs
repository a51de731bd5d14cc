using System.Text.Json.Nodes;

namespace Modular.Host.Tests.Fuzzing;

/// <summary>
/// What the fuzzer learned from the seeding requests and the host's answers: valid bodies per operation
/// (to mutate), values per field or parameter name, and the ids each list answers with, so that path
/// parameters sometimes hit real rows.
/// </summary>
internal sealed class FuzzExamples
{
    private readonly Dictionary<string, List<JsonNode>> _bodies = [];
    private readonly Dictionary<string, HashSet<string>> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Dictionary<string, HashSet<string>>> _listed = [];
    private readonly HashSet<string> _ids = [];
    private readonly HashSet<string> _words = [];

    public IReadOnlyList<string> Words => [.. _words.Order(StringComparer.Ordinal)];

    /// <summary>A request the host accepted: its body is a seed for mutations, its values examples of their names.</summary>
    public void AddAccepted(ApiOperation operation, IEnumerable<KeyValuePair<string, string>> parameters, JsonNode? body)
    {
        foreach (var (name, value) in parameters)
        {
            Add(name, value);
        }

        if (body is not null)
        {
            (_bodies.TryGetValue(operation.Name, out var bodies) ? bodies : _bodies[operation.Name] = []).Add(body.DeepClone());
            Walk(body, null, (name, value) => Add(name, value));
        }
    }

    /// <summary>An answer of a list (<paramref name="path"/> has no parameters): its ids become candidates for that resource's paths.</summary>
    public void AddAnswer(string path, JsonNode answer)
    {
        var listed = _listed.TryGetValue(path, out var found) ? found : _listed[path] = new(StringComparer.OrdinalIgnoreCase);
        Walk(answer, null, (name, value) =>
        {
            Add(name, value);
            if (IsId(name))
            {
                (listed.TryGetValue(name, out var values) ? values : listed[name] = []).Add(value);
            }
        });
    }

    public IReadOnlyList<JsonNode> BodiesOf(ApiOperation operation) => _bodies.TryGetValue(operation.Name, out var bodies) ? bodies : [];

    public IReadOnlyList<string> ValuesOf(string name) => _values.TryGetValue(name, out var values) ? [.. values.Order(StringComparer.Ordinal)] : [];

    /// <summary>
    /// Real ids for <paramref name="parameter"/> of <paramref name="template"/>: those the list at the path before it
    /// answered with (<c>/tenants</c> for <c>/tenants/{id}</c>), else values seen under the parameter's name, else any id.
    /// </summary>
    public IReadOnlyList<string> IdsFor(string template, string parameter)
    {
        var prefix = template[..template.IndexOf("/{" + parameter + "}", StringComparison.Ordinal)];
        if (_listed.TryGetValue(prefix, out var listed) && (listed.TryGetValue(parameter, out var ids) || listed.TryGetValue("id", out ids)))
        {
            return [.. ids.Order(StringComparer.Ordinal)];
        }

        var named = ValuesOf(parameter);
        return named.Count > 0 ? named : [.. _ids.Order(StringComparer.Ordinal)];
    }

    private void Add(string name, string value)
    {
        (_values.TryGetValue(name, out var values) ? values : _values[name] = []).Add(value);
        if (value.Length <= 64)
        {
            _words.Add(value);
        }

        if (IsId(name))
        {
            _ids.Add(value);
        }
    }

    private static bool IsId(string name) =>
        name.Equals("id", StringComparison.OrdinalIgnoreCase) || name.Equals("key", StringComparison.OrdinalIgnoreCase) || name.Equals("slug", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith("Id", StringComparison.Ordinal) || name.EndsWith("Key", StringComparison.Ordinal);

    /// <summary>Calls <paramref name="visit"/> with every scalar in <paramref name="node"/> and the name of the property holding it.</summary>
    private static void Walk(JsonNode? node, string? name, Action<string, string> visit)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (property, value) in obj)
                {
                    Walk(value, property, visit);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Walk(item, name, visit);
                }

                break;
            case JsonValue value when name is not null:
                visit(name, value.TryGetValue<string>(out var text) ? text : value.ToJsonString());
                break;
        }
    }
}
