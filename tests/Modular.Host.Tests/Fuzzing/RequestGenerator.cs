using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;

namespace Modular.Host.Tests.Fuzzing;

/// <summary>
/// CsCheck generators of requests for an operation, from its OpenAPI schemas and the examples seeding
/// left: path ids (real ones, random GUIDs, garbage), query values (missing, repeated, wrong types),
/// and JSON bodies built from the schema or mutated from an accepted one, laced with NUL and control
/// characters, 10 K strings, extreme numbers and dates, deep nesting, missing or extra fields, wrong
/// content types and malformed JSON.
/// </summary>
internal sealed class RequestGenerator(JsonElement document, FuzzExamples examples)
{
    private const int MaxDepth = 4;

    private static readonly string[] Hostile =
    [
        "", " ", "\0", "a\0b", "\t", "\r\n", "\u0001\u001f\u007f", "\u202e", "\uFEFF", "😀", "ß", "İ",
        "../../../etc/passwd", "%00", "%", "'; --", "\" OR \"1\"=\"1", "<script>", "{}", "[]", "null", "true",
        "-1", "0", "99999999999999999999", "1e309", "NaN", "$.a[99999999999]", "$..*", "*", "\\",
        "0001-01-01T00:00:00Z", "9999-12-31T23:59:00Z", "9999-12-31T23:59:59.9999999+14:00", "0001-01-01T00:00:00-12:00",
        "-0001-01-01T00:00:00Z", "2026-02-30T00:00:00Z", "9999-12", "0001-01", "P9999Y",
    ];

    private static readonly string[] Controls = ["\0", "\t", "\n", "\r", "\u0001", "\u001b", "\u007f", "\u0085", "\u2028"];

    private static readonly string[] RawNumbers =
        ["2147483648", "-2147483649", "9223372036854775808", "-9223372036854775809", "1e309", "-1e309", "1.5", "-0", "1E+2", "0.0000001", "79228162514264337593543950336"];

    private static readonly string[] Huge = [new('x', 10_000), new('é', 10_000), string.Concat(Enumerable.Repeat("a\0", 5_000))];

    private static readonly (string? ContentType, string Body)[] Malformed =
    [
        ("application/json", ""), ("application/json", "{"), ("application/json", "nul"), ("application/json", "[1,"),
        ("application/json", "\"\\u0000\""), ("application/json", "{\"a\":1,\"a\":2}"), ("application/json", "\uFEFF{}"),
        ("application/json", "{\"a\":\"\\ud800\"}"), ("application/json; charset=utf-16", "{}"), (null, "{}"),
    ];

    private readonly JsonElement _schemas = document.GetProperty("components").GetProperty("schemas");
    private readonly Dictionary<int, Gen<JsonNode?>> _any = [];

    public Gen<FuzzRequest> For(ApiOperation operation)
    {
        var path = Sequence(operation.InPath.Select(p => PathValue(operation, p).Select(value => (p.Name, value))));
        var query = Sequence(operation.InQuery.Select(QueryPairs));
        var body = operation.BodySchema is { } schema
            ? Body(operation, schema)
            : Gen.Frequency<(string?, byte[]?)>((19, Gen.Const<(string?, byte[]?)>((null, null))), (1, Junk()));
        return Gen.Select(path, query, body, (path, query, body) =>
            new FuzzRequest(operation.Method, Url(operation.Template, path, query.SelectMany(q => q)), body.Item1, body.Item2));
    }

    private static string Url(string template, IEnumerable<(string Name, string Value)> path, IEnumerable<string> query)
    {
        var url = path.Aggregate(template, (url, p) => url.Replace("{" + p.Name + "}", Uri.EscapeDataString(p.Value), StringComparison.Ordinal));
        var pairs = string.Join('&', query);
        return pairs.Length == 0 ? url : url + "?" + pairs;
    }

    private Gen<string> PathValue(ApiOperation operation, ApiParameter parameter)
    {
        var ids = examples.IdsFor(operation.Template, parameter.Name);
        return ids.Count == 0
            ? Gen.Frequency<string>((1, Gen.Guid.Select(g => g.ToString())), (2, Text(parameter.Name)))
            : Gen.Frequency<string>((6, Gen.OneOf([.. ids])), (1, Gen.Guid.Select(g => g.ToString())), (3, Text(parameter.Name)));
    }

    /// <summary>Absent, once or repeated; each value of the parameter's type or not.</summary>
    private Gen<List<string>> QueryPairs(ApiParameter parameter)
    {
        var schema = Resolve(parameter.Schema);
        var items = Types(schema).Contains("array") && schema.TryGetProperty("items", out var item) ? Resolve(item) : schema;
        var value = Types(items).Contains("integer") || Types(items).Contains("number")
            ? Gen.Frequency<string>((3, Gen.Int[-3, 120].Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))), (1, Gen.OneOf(RawNumbers)), (1, Text(parameter.Name)))
            : Text(parameter.Name);
        return Gen.Frequency<List<string>>((4, Gen.Const(new List<string>())), (5, value.List[1, 1]), (1, value.List[2, 3]))
            .Select(values => values.Select(v => Uri.EscapeDataString(parameter.Name) + "=" + Uri.EscapeDataString(v)).ToList());
    }

    private Gen<(string?, byte[]?)> Body(ApiOperation operation, JsonElement schema)
    {
        var fromSchema = Value(schema, null, 0);
        var accepted = examples.BodiesOf(operation);
        var json = accepted.Count == 0
            ? fromSchema
            : Gen.Frequency<JsonNode?>((4, Mutated(accepted)), (2, fromSchema), (1, Gen.OneOf([.. accepted]).Select(b => (JsonNode?)b.DeepClone())));
        var mediaType = operation.MediaTypes.Count > 0 ? Gen.OneOf([.. operation.MediaTypes]) : Gen.Const("application/json");
        var wrongMediaType = Gen.OneOf("text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x");
        return Gen.Frequency<(string?, byte[]?)>(
            (16, Gen.Select(json, mediaType, (body, type) => ((string?)type, (byte[]?)Serialize(body)))),
            (1, Gen.Select(json, wrongMediaType, (body, type) => ((string?)type, (byte[]?)Serialize(body)))),
            (2, Junk()));
    }

    /// <summary>Bodies no parser should choke on: malformed, invalid UTF-8, nested past every limit.</summary>
    private static Gen<(string?, byte[]?)> Junk() => Gen.Frequency<(string?, byte[]?)>(
        (3, Gen.OneOf(Malformed).Select(m => (m.ContentType, (byte[]?)Encoding.UTF8.GetBytes(m.Body)))),
        (1, Gen.Const<(string?, byte[]?)>(("application/json", [0x7b, 0x22, 0xff, 0xfe, 0x00, 0x22, 0x3a, 0x31, 0x7d]))),
        (1, Deep().Select(d => ((string?)"application/json", (byte[]?)Serialize(d)))));

    private static byte[] Serialize(JsonNode? node) =>
        Encoding.UTF8.GetBytes(node?.ToJsonString(new JsonSerializerOptions { MaxDepth = 4096 }) ?? "null");

    /// <summary>An accepted body with one node replaced, removed, or laced with a control character.</summary>
    private Gen<JsonNode?> Mutated(IReadOnlyList<JsonNode> accepted)
    {
        var replacement = Gen.Frequency<JsonNode?>((2, Any(2)), (3, Text(null).Select(t => (JsonNode?)JsonValue.Create(t))));
        return Gen.Select(Gen.Int[0, accepted.Count - 1], Gen.Int[0, 1000], Gen.Int[0, 3], replacement, Gen.OneOf(Controls), (which, at, action, replaced, control) =>
        {
            var body = accepted[which].DeepClone();
            var nodes = Descendants(body).ToList();
            if (nodes.Count == 0)
            {
                return replaced;
            }

            var node = nodes[at % nodes.Count];
            switch (action)
            {
                case 0 when node.Parent is JsonObject parent:
                    parent.Remove(node.GetPropertyName());
                    break;
                case 1 when node is JsonValue value && value.TryGetValue<string>(out var text):
                    node.ReplaceWith(text.Insert(at % (text.Length + 1), control));
                    break;
                default:
                    node.ReplaceWith(replaced);
                    break;
            }

            return body;
        });
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject obj => obj.Select(p => p.Value),
            JsonArray array => array,
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>())
        {
            yield return child;
            foreach (var below in Descendants(child))
            {
                yield return below;
            }
        }
    }

    /// <summary>A value for <paramref name="schema"/>: mostly of its type, sometimes anything at all.</summary>
    private Gen<JsonNode?> Value(JsonElement schema, string? name, int depth)
    {
        schema = Resolve(schema);
        if (schema.ValueKind == JsonValueKind.Object && (schema.TryGetProperty("oneOf", out var choices) || schema.TryGetProperty("anyOf", out choices)))
        {
            return Gen.OneOf<JsonNode?>([.. choices.EnumerateArray().Select(choice => Value(choice, name, depth))]);
        }

        var types = Types(schema);
        if (types.Count == 0)
        {
            return Any(depth);
        }

        var typed = Gen.OneOf<JsonNode?>([.. types.Select(type => OfType(type, schema, name, depth))]);
        return Gen.Frequency<JsonNode?>((6, typed), (1, Any(depth)));
    }

    private Gen<JsonNode?> OfType(string type, JsonElement schema, string? name, int depth) => type switch
    {
        "string" when schema.TryGetProperty("format", out var f) && f.GetString() == "date-time" => Gen.Frequency<string>((3, Dates()), (1, Text(name))).Select(Node),
        "string" when schema.TryGetProperty("format", out var f) && f.GetString() == "uuid" => Gen.Frequency<string>((3, Gen.Guid.Select(g => g.ToString())), (1, Text(name))).Select(Node),
        "string" => Text(name).Select(Node),
        "integer" => Gen.Frequency<JsonNode?>((4, Gen.Int[-3, 120].Select(i => (JsonNode?)JsonValue.Create(i))), (2, Gen.OneOf(RawNumbers).Select(n => JsonNode.Parse(n)))),
        "number" => Gen.Frequency<JsonNode?>((4, Gen.Int[-3, 1000].Select(i => (JsonNode?)JsonValue.Create(i / 4.0))), (2, Gen.OneOf(RawNumbers).Select(n => JsonNode.Parse(n)))),
        "boolean" => Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        "null" => Gen.Const((JsonNode?)null),
        "array" when depth < MaxDepth => Array(schema.TryGetProperty("items", out var items) ? Value(items, name, depth + 1) : Any(depth + 1)),
        "object" when depth < MaxDepth => Object(schema, depth),
        _ => Scalar(),
    };

    private static Gen<JsonNode?> Array(Gen<JsonNode?> item) =>
        Gen.Frequency<List<JsonNode?>>((9, item.List[0, 3]), (1, item.List[50, 100])).Select(items => (JsonNode?)new JsonArray([.. items]));

    /// <summary>Required properties usually, optional ones sometimes, an unknown one rarely; dictionaries get hostile keys.</summary>
    private Gen<JsonNode?> Object(JsonElement schema, int depth)
    {
        var required = schema.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(e => e.GetString()).ToHashSet() : [];
        var properties = schema.TryGetProperty("properties", out var p) ? p.EnumerateObject().ToList() : [];
        var members = properties.Select(property =>
        {
            var present = required.Contains(property.Name) ? 9 : 4;
            return Gen.Frequency<List<(string, JsonNode?)>>(
                (present, Value(property.Value, property.Name, depth + 1).Select(v => new List<(string, JsonNode?)> { (property.Name, v) })),
                (10 - present, Gen.Const(new List<(string, JsonNode?)>())));
        }).ToList();
        if (schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.Object)
        {
            members.Add(Gen.Select(Text(null), Value(additional, null, depth + 1), (key, value) => (key, value)).List[0, 3]);
        }

        members.Add(Gen.Frequency<List<(string, JsonNode?)>>((9, Gen.Const(new List<(string, JsonNode?)>())), (1, Gen.Select(Text(null), Any(depth + 1), (key, value) => (key, value)).List[1, 1])));
        return Sequence(members).Select(all =>
        {
            var obj = new JsonObject();
            foreach (var (key, value) in all.SelectMany(m => m))
            {
                obj[key] = value;
            }

            return (JsonNode?)obj;
        });
    }

    /// <summary>Any JSON value, nested at most to the generator's depth, or nested far past every parser's limit.</summary>
    private Gen<JsonNode?> Any(int depth)
    {
        if (_any.TryGetValue(depth, out var cached))
        {
            return cached;
        }

        var any = depth >= MaxDepth
            ? Scalar()
            : Gen.Frequency<JsonNode?>(
                (6, Scalar()),
                (1, Array(Any(depth + 1))),
                (1, Gen.Select(Text(null), Any(depth + 1), (key, value) => (key, value)).List[0, 3].Select(members =>
                {
                    var obj = new JsonObject();
                    foreach (var (key, value) in members)
                    {
                        obj[key] = value;
                    }

                    return (JsonNode?)obj;
                })),
                (1, Deep()));
        return _any[depth] = any;
    }

    private Gen<JsonNode?> Scalar() => Gen.Frequency<JsonNode?>(
        (4, Text(null).Select(Node)),
        (2, Gen.OneOf(RawNumbers).Select(n => JsonNode.Parse(n))),
        (1, Gen.Int.Select(i => (JsonNode?)JsonValue.Create(i))),
        (1, Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b))),
        (1, Gen.Const((JsonNode?)null)));

    private static Gen<JsonNode?> Deep() => Gen.OneOf(63, 64, 65, 200, 2000).Select(depth =>
    {
        JsonNode node = new JsonArray();
        for (var i = 1; i < depth; i++)
        {
            node = i % 2 == 0 ? new JsonArray(node) : new JsonObject { ["a"] = node };
        }

        return (JsonNode?)node;
    });

    /// <summary>Strings for a field or parameter: values seen under its name, those laced with control characters, and hostile ones.</summary>
    private Gen<string> Text(string? name)
    {
        var known = name is null ? [] : examples.ValuesOf(name);
        var seen = known.Count > 0 ? known : examples.Words;
        var example = seen.Count > 0 ? Gen.OneOf([.. seen]) : Gen.Char['a', 'z'].Array[1, 12].Select(c => new string(c));
        return Gen.Frequency<string>(
            (4, example),
            (2, Gen.Select(example, Gen.Int[0, 64], Gen.OneOf(Controls), (text, at, control) => text.Insert(Math.Min(at, text.Length), control))),
            (3, Gen.OneOf(Hostile)),
            (1, Dates()),
            (1, Gen.Char['\u0020', '\ud7ff'].Array[0, 40].Select(chars => new string(chars))),
            (1, Gen.OneOf([.. examples.Words.DefaultIfEmpty("word")])),
            (1, Gen.OneOf(Huge)));
    }

    private static Gen<string> Dates() => Gen.Frequency<string>(
        (1, Gen.OneOf("0001-01-01T00:00:00Z", "9999-12-31T23:59:00Z", "9999-12-31T23:59:59.9999999Z", "0001-01-01T00:00:00+14:00", "1970-01-01T00:00:00Z")),
        (3, Gen.Select(Gen.Int[1, 9999], Gen.Int[1, 12], Gen.Int[1, 28], Gen.Int[0, 23], Gen.OneOf("Z", "+14:00", "-12:00", ".5Z", "+05:30"),
            (year, month, day, hour, zone) => $"{year:0000}-{month:00}-{day:00}T{hour:00}:00:00{zone}")));

    private static JsonNode? Node(string text) => JsonValue.Create(text);

    private JsonElement Resolve(JsonElement schema)
    {
        while (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$ref", out var reference))
        {
            schema = _schemas.GetProperty(reference.GetString()!.Split('/')[^1]);
        }

        return schema;
    }

    private static List<string> Types(JsonElement schema) =>
        schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("type", out var type) ? []
        : type.ValueKind == JsonValueKind.Array ? [.. type.EnumerateArray().Select(t => t.GetString()!)]
        : [type.GetString()!];

    private static Gen<List<T>> Sequence<T>(IEnumerable<Gen<T>> gens) =>
        gens.Aggregate(Gen.Const(new List<T>()), (all, next) => Gen.Select(all, next, (list, item) => new List<T>(list) { item }));
}
