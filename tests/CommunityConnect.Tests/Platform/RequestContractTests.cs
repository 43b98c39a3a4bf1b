using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// The committed OpenAPI document is held to real traffic, because no linter sees "required in the
/// schema but optional in fact" (or the reverse). For every operation with a JSON request body:
/// the smallest body its schema allows (only the required properties, with valid values) is
/// accepted, and dropping any one required property answers 400 naming it. An operation with a JSON
/// body that <see cref="Setups"/> does not know fails, so a new one cannot slip past.
/// </summary>
public sealed partial class RequestContractTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private const string Text = "契约测试";

    private CommunityApp App { get; } = app;

    private static readonly JsonObject Document = JsonNode.Parse(File.ReadAllText(OpenApiDocumentTests.CommittedPath))!.AsObject();

    /// <summary>Every operation of the committed document whose request body may be JSON.</summary>
    public static TheoryData<string> OperationsWithJsonBodies() => new(OperationIdsWithJsonBodies());

    private static IEnumerable<string> OperationIdsWithJsonBodies() =>
        Operations().Where(o => o.Operation["requestBody"]?["content"]?["application/json"] is not null)
            .Select(o => o.Operation["operationId"]!.GetValue<string>());

    private static IEnumerable<(string Method, string Path, JsonObject Operation)> OperationsWithPaths() =>
        from path in Document["paths"]!.AsObject()
        from method in path.Value!.AsObject()
        select (method.Key, path.Key, method.Value!.AsObject());

    private static IEnumerable<(string Path, JsonObject Operation)> Operations() =>
        OperationsWithPaths().Select(o => (o.Path, o.Operation));

    [Theory]
    [MemberData(nameof(OperationsWithJsonBodies))]
    public async Task TheSmallestBodyTheSchemaAllowsIsAcceptedAndEachRequiredPropertyIsRequired(string operationId)
    {
        var (method, template, operation) = OperationsWithPaths().Single(o => o.Operation["operationId"]!.GetValue<string>() == operationId);
        Assert.True(Setups.TryGetValue(operationId, out var setup),
            $"{operationId} takes a JSON body but RequestContractTests has no setup for it: add one (the caller, the path's ids, values the schema cannot give).");
        var call = await setup(this);
        var url = Expand(template, call.Path);
        var requestBody = operation["requestBody"]!.AsObject();
        var schema = Resolve(requestBody["content"]!["application/json"]!["schema"]!);
        var bodyRequired = requestBody["required"]?.GetValue<bool>() ?? false;
        var failures = new List<string>();

        var documented = operation["responses"]!.AsObject().Select(r => r.Key).ToList();
        var smallest = bodyRequired ? Smallest(schema, "", call) : null;
        if (smallest is not null && schema["required"] is JsonArray { Count: > 0 } && !documented.Contains("400"))
        {
            failures.Add("the operation requires properties but documents no 400");
        }
        if (smallest is not null)
        {
            foreach (var (path, without) in Drops(smallest.AsObject(), schema, ""))
            {
                var response = await Send(call.Client, method, url, without);
                var text = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.BadRequest || !Names(text, path))
                {
                    failures.Add($"without {path}: expected 400 naming '{path}', got {(int)response.StatusCode} {text}");
                }
            }
        }

        var accepted = await Send(call.Client, method, url, smallest);
        var status = (int)accepted.StatusCode;
        var ok = call.Accepted is { } expected ? status == (int)expected : status is >= 200 and < 300;
        if (!ok || !documented.Contains(status.ToString()))
        {
            failures.Add($"the smallest body {smallest?.ToJsonString() ?? "(none)"}: got {status} {await accepted.Content.ReadAsStringAsync()} " +
                         $"(documented: {string.Join(", ", documented)})");
        }
        Assert.True(failures.Count == 0, $"{method.ToUpperInvariant()} {url}\n" + string.Join("\n", failures));
    }

    [Fact]
    public void EverySetupBelongsToAnOperationWithAJsonBody()
    {
        var operations = OperationIdsWithJsonBodies().ToHashSet();
        Assert.All(Setups.Keys, id => Assert.Contains(id, operations));
        Assert.NotEmpty(operations);
    }

    // ---- the smallest body, from the schema ----

    /// <summary>How to call an operation: the caller, the path's values, values the schema cannot give, and a documented 4xx if 2xx cannot be had.</summary>
    private sealed record Call(HttpClient Client, Dictionary<string, object> Path, Dictionary<string, JsonNode?>? Values = null, HttpStatusCode? Accepted = null);

    private static JsonObject Resolve(JsonNode schema)
    {
        var reference = schema["$ref"]?.GetValue<string>();
        if (reference is not null)
        {
            return Document["components"]!["schemas"]![reference["#/components/schemas/".Length..]]!.AsObject();
        }
        // An optional body is oneOf [null, the schema].
        if (schema["oneOf"] is JsonArray alternatives && alternatives.Any(a => a?["type"]?.GetValue<string>() == "null"))
        {
            return Resolve(alternatives.First(a => a?["type"]?.GetValue<string>() != "null")!);
        }
        return schema.AsObject();
    }

    private static IEnumerable<string> TypesOf(JsonObject schema) => schema["type"] switch
    {
        JsonArray types => types.Select(t => t!.GetValue<string>()),
        JsonValue type => [type.GetValue<string>()],
        _ => schema["properties"] is not null ? ["object"] : [],
    };

    /// <summary>What the object must hold: its required properties, and the first alternative of a oneOf of required sets.</summary>
    private static IEnumerable<string> RequiredOf(JsonObject schema) =>
        (schema["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [])
        .Concat(schema["oneOf"]?.AsArray().FirstOrDefault()?["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? []);

    private JsonNode Smallest(JsonObject schema, string path, Call call)
    {
        if (call.Values is { } values && values.TryGetValue(path, out var given))
        {
            return given!.DeepClone();
        }
        if (schema["enum"] is JsonArray allowed)
        {
            return allowed.First(v => v is not null)!.DeepClone();
        }
        var type = TypesOf(schema).FirstOrDefault(t => t != "null")
                   ?? throw new InvalidOperationException($"{path}: the schema gives no type");
        switch (type)
        {
            case "object":
                var properties = schema["properties"]!.AsObject();
                var result = new JsonObject();
                foreach (var name in RequiredOf(schema).Distinct())
                {
                    result[name] = Smallest(Resolve(properties[name]!), Join(path, name), call);
                }
                return result;
            case "array":
                var items = new JsonArray();
                var count = schema["minItems"]?.GetValue<int>() ?? 0;
                for (var i = 0; i < count; i++)
                {
                    items.Add(Smallest(Resolve(schema["items"]!), path, call));
                }
                return items;
            case "boolean":
                return JsonValue.Create(false);
            case "integer" when path.EndsWith("Id", StringComparison.Ordinal):
                throw new InvalidOperationException($"{path}: an id must name a real row; give it in the setup's values.");
            case "integer" or "number":
                return JsonValue.Create(schema["minimum"]?.GetValue<long>() ?? 1);
            case "string" when schema["pattern"] is not null || schema["format"] is not null:
                throw new InvalidOperationException($"{path}: a string of pattern or format {schema["pattern"] ?? schema["format"]}; give it in the setup's values.");
            case "string":
                var length = schema["minLength"]?.GetValue<int>() ?? 1;
                return JsonValue.Create(string.Concat(Enumerable.Repeat(Text, length / Text.Length + 1))[..Math.Max(length, Text.Length)]);
            default:
                throw new InvalidOperationException($"{path}: cannot make a value of type {type}");
        }
    }

    /// <summary>The smallest body without each of its required properties in turn (nested ones too), with the property's path.</summary>
    private static IEnumerable<(string Path, JsonObject Without)> Drops(JsonObject body, JsonObject schema, string path)
    {
        foreach (var name in schema["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [])
        {
            var without = body.DeepClone().AsObject();
            without.Remove(name);
            yield return (Join(path, name), without);
        }
        foreach (var (name, value) in body)
        {
            var propertySchema = Resolve(schema["properties"]![name]!);
            if (value is JsonObject inner)
            {
                foreach (var (innerPath, innerWithout) in Drops(inner, propertySchema, Join(path, name)))
                {
                    var copy = body.DeepClone().AsObject();
                    copy[name] = innerWithout;
                    yield return (innerPath, copy);
                }
            }
            else if (value is JsonArray { Count: > 0 } array && array[0] is JsonObject first)
            {
                foreach (var (innerPath, innerWithout) in Drops(first, Resolve(propertySchema["items"]!), $"{Join(path, name)}[0]"))
                {
                    var copy = body.DeepClone().AsObject();
                    copy[name]![0] = innerWithout;
                    yield return (innerPath, copy);
                }
            }
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    /// <summary>Whether a 400 problem names the field at this path, as the request wrote it.</summary>
    private static bool Names(string problem, string path)
    {
        try
        {
            var errors = JsonNode.Parse(problem)?["errors"]?.AsObject();
            return errors is not null && errors.Any(e => e.Key == path);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Expand(string template, IReadOnlyDictionary<string, object> values)
    {
        foreach (var (name, value) in values)
        {
            template = template.Replace($"{{{name}}}", value.ToString(), StringComparison.Ordinal);
        }
        Assert.DoesNotContain("{", template);
        return template;
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, string method, string url, JsonNode? body) =>
        client.SendAsync(new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), url)
        {
            Content = body is null ? null : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        });

    // ---- setups: real rows for the ids, in the state the operation needs ----

    private static Dictionary<string, object> PathOf(params (string Name, object Value)[] values) => values.ToDictionary(v => v.Name, v => v.Value);

    private static Dictionary<string, JsonNode?> ValuesOf(params (string Path, JsonNode? Value)[] values) => values.ToDictionary(v => v.Path, v => v.Value);
}
