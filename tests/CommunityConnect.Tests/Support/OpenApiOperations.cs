using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Tests.Support;

/// <summary>One operation of the committed OpenAPI document, with what a sweep needs to call it.</summary>
public sealed record OpenApiOperation(string Method, string Template, JsonNode Operation, JsonNode Document)
{
    /// <summary>The path with every <c>{id}</c> filled with 1 (items the sweep made) and <c>{action}</c> with approve.</summary>
    public string Path(string id = "1") => Regex.Replace(Template, "{[^}]+}", match => match.Value == "{action}" ? "approve" : id);

    public string? BodyMediaType => Operation["requestBody"]?["content"]?.AsObject().Select(c => c.Key).FirstOrDefault();

    public bool HasJsonBody => BodyMediaType == "application/json";

    public IEnumerable<JsonNode> Parameters(string location) =>
        (Operation["parameters"]?.AsArray() ?? []).Where(p => p!["in"]!.GetValue<string>() == location).Select(p => p!);

    /// <summary>Query parameters that carry text (strings, not numbers or flags).</summary>
    public IEnumerable<string> TextQueryParameters => Parameters("query")
        .Where(p => OpenApiSchemas.Kind(Document, p["schema"]) == "string")
        .Select(p => p["name"]!.GetValue<string>());

    /// <summary>The JSON body schema, resolved.</summary>
    public JsonNode? BodySchema => OpenApiSchemas.Resolve(Document, Operation["requestBody"]?["content"]?["application/json"]?["schema"]);

    /// <summary>A plausible JSON body for the operation (every property filled).</summary>
    public string SampleBody() => OpenApiSchemas.Sample(Document, BodySchema)?.ToJsonString() ?? "{}";

    /// <summary>
    /// Every leaf of the body of <paramref name="kind"/> (string, integer…): its path as a validation
    /// problem names it, its format, its value in the sample body, and a function that answers a
    /// fresh sample body with that one leaf set to another value.
    /// </summary>
    public IReadOnlyList<(string Path, string? Format, string? Sample, Func<JsonNode?, string> With)> Fields(string kind)
    {
        var leaves = OpenApiSchemas.Leaves(Document, BodySchema, OpenApiSchemas.Sample(Document, BodySchema)!, kind).ToList();
        return leaves.Select((leaf, index) => (leaf.Path, leaf.Format, leaf.Value?.ToString(), (Func<JsonNode?, string>)(value =>
        {
            var body = OpenApiSchemas.Sample(Document, BodySchema)!;
            OpenApiSchemas.Leaves(Document, BodySchema, body, kind).ElementAt(index).Set(value);
            return body.ToJsonString();
        }))).ToList();
    }

    public override string ToString() => $"{Method.ToUpperInvariant()} {Template}";

    /// <summary>Every operation of the committed document.</summary>
    public static IReadOnlyList<OpenApiOperation> All()
    {
        var document = JsonNode.Parse(File.ReadAllText(System.IO.Path.Combine(Repository.Root, "openapi", "CommunityConnect.json")))!;
        return document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(op => new OpenApiOperation(op.Key, path.Key, op.Value!, document)))
            .ToList();
    }
}

/// <summary>
/// Plausible JSON bodies built from the document's schemas: every property filled with a value of
/// its type, so that a sweep can put a hostile value in one property at a time and the rest of the
/// body still reads.
/// </summary>
public static class OpenApiSchemas
{
    public static JsonNode? Resolve(JsonNode document, JsonNode? schema)
    {
        while (true)
        {
            if (schema?["$ref"] is { } reference)
            {
                schema = document["components"]!["schemas"]![reference.GetValue<string>().Split('/')[^1]];
            }
            else if ((schema?["oneOf"] ?? schema?["anyOf"]) is JsonArray choices)
            {
                schema = choices.FirstOrDefault(c => c?["type"]?.ToJsonString() != "\"null\"");
            }
            else
            {
                return schema;
            }
        }
    }

    /// <summary>What a schema is: integer, number, boolean, array, object or string.</summary>
    public static string Kind(JsonNode document, JsonNode? schema)
    {
        schema = Resolve(document, schema);
        var types = schema?["type"] switch
        {
            JsonArray array => array.Select(t => t!.GetValue<string>()).ToList(),
            JsonValue value => [value.GetValue<string>()],
            _ => [],
        };
        foreach (var kind in new[] { "integer", "number", "boolean", "array", "object", "string" })
        {
            if (types.Contains(kind))
            {
                return kind;
            }
        }
        return schema?["properties"] is not null ? "object" : "string";
    }

    /// <summary>A value of the schema's type, with every property of an object filled.</summary>
    public static JsonNode? Sample(JsonNode document, JsonNode? schema, int depth = 0)
    {
        var resolved = Resolve(document, schema);
        switch (Kind(document, resolved))
        {
            case "integer":
            case "number":
                return JsonValue.Create(resolved?["minimum"]?.GetValue<long>() ?? 1);
            case "boolean":
                return JsonValue.Create(false);
            case "array":
                return depth > 4 ? new JsonArray() : new JsonArray(Sample(document, resolved?["items"], depth + 1));
            case "object":
                var result = new JsonObject();
                foreach (var (name, property) in resolved?["properties"]?.AsObject() ?? [])
                {
                    result[name] = depth > 4 ? null : Sample(document, property, depth + 1);
                }
                return result;
            default:
                return JsonValue.Create(resolved?["format"]?.GetValue<string>() switch
                {
                    "date-time" => "2030-06-03T02:00:00Z",
                    "date" => "2030-06-03",
                    _ => resolved?["pattern"]?.GetValue<string>() switch
                    {
                        "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" => "2030-06-03",
                        { } pattern when pattern.Contains(":[0-5][0-9]") => "09:00",
                        _ => "楼道灯坏了",
                    },
                });
        }
    }

    /// <summary>
    /// Every leaf of a sample body whose schema is of <paramref name="kind"/>, as the path a
    /// validation problem names it (<c>title</c>, <c>routes[0].category</c>) with a setter.
    /// </summary>
    public static IEnumerable<(string Path, string? Format, JsonNode? Value, Action<JsonNode?> Set)> Leaves(JsonNode document, JsonNode? schema, JsonNode body, string kind)
    {
        var resolved = Resolve(document, schema);
        if (body is JsonObject obj)
        {
            foreach (var (name, property) in resolved?["properties"]?.AsObject() ?? [])
            {
                var child = obj[name];
                if (child is JsonObject or JsonArray)
                {
                    foreach (var (path, format, value, set) in Leaves(document, property, child, kind))
                    {
                        yield return ($"{name}{(path.StartsWith('[') ? "" : ".")}{path}", format, value, set);
                    }
                }
                else if (Kind(document, property) == kind)
                {
                    var key = name;
                    yield return (name, Resolve(document, property)?["format"]?.GetValue<string>(), child, value => obj[key] = value);
                }
            }
        }
        else if (body is JsonArray { Count: > 0 } array)
        {
            var items = resolved?["items"];
            if (array[0] is JsonObject or JsonArray)
            {
                foreach (var (path, format, value, set) in Leaves(document, items, array[0]!, kind))
                {
                    yield return ($"[0]{(path.StartsWith('[') ? "" : ".")}{path}", format, value, set);
                }
            }
            else if (Kind(document, items) == kind)
            {
                yield return ("[0]", Resolve(document, items)?["format"]?.GetValue<string>(), array[0], value => array[0] = value);
            }
        }
    }
}

/// <summary>How many rows every table holds: a rejected request must leave them as they were.</summary>
public static class RowCounts
{
    public static async Task<IReadOnlyDictionary<string, long>> ReadAsync(CommunityApp app)
    {
        await using var connection = app.Connection();
        await connection.OpenAsync();
        var tables = await DatabaseTables.NamesAsync(connection);
        var counts = await connection.QueryAsync<(string, long)>(
            string.Join(" UNION ALL ", tables.Select(t => $"SELECT '{t}', COUNT(*) FROM \"{t}\"")));
        return counts.ToDictionary(c => c.Item1, c => c.Item2);
    }

    /// <summary>The tables whose counts differ, or empty.</summary>
    public static string Changes(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after) =>
        string.Join(", ", after.Where(a => before.GetValueOrDefault(a.Key) != a.Value).Select(a => $"{a.Key} {before.GetValueOrDefault(a.Key)}→{a.Value}"));
}

/// <summary>The application's tables on either engine (SQLite's catalogue, or PostgreSQL's public schema: Hangfire's own schema is not the app's).</summary>
public static class DatabaseTables
{
    public static async Task<List<string>> NamesAsync(System.Data.Common.DbConnection connection) =>
        (await connection.QueryAsync<string>(connection is SqliteConnection
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name;"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name;")).ToList();
}
