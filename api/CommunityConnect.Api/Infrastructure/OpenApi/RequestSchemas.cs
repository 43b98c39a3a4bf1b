using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using CommunityConnect.Api.Infrastructure.Text;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace CommunityConnect.Api.Infrastructure.OpenApi;

/// <summary>
/// A request schema says what the server's validation says, read from the same attributes, so a new
/// contract comes out right by itself:
/// <list type="bullet">
/// <item>a property is <c>required</c> only when validation requires it (<c>[Required]</c>, or
/// <c>required</c>/<c>[JsonRequired]</c>). A positional record parameter without a default is not a
/// requirement: the JSON reader fills what is missing with null, and the server then decides.</item>
/// <item>a required property is not nullable (null is refused like a missing value), and a required
/// string has at least one character;</item>
/// <item><see cref="IAllowedValues"/> attributes (<c>[OneOf]</c>, <c>[Category]</c>) become <c>enum</c> (on a list, its items' <c>enum</c>),
/// <see cref="TextLengthAttribute"/> a <c>minLength</c> and a sentence on how the maximum is counted,
/// <see cref="ExactlyOneOfAttribute"/> a <c>oneOf</c> of the alternatives.</item>
/// </list>
/// Defaults come from the contract itself (a record parameter's default value appears as <c>default</c>).
/// Types that only answer (responses) keep the generator's <c>required</c>: the server always writes
/// every property.
/// </summary>
public sealed class RequestSchemas(IApiDescriptionGroupCollectionProvider apis) : IOpenApiSchemaTransformer
{
    private readonly Lazy<IReadOnlySet<Type>> _requestTypes = new(() => RequestTypesOf(apis));

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var requestTypes = _requestTypes.Value;
        var typeInfo = context.JsonTypeInfo;
        if (typeInfo.Kind == JsonTypeInfoKind.Object && requestTypes.Contains(typeInfo.Type) && schema.Properties is { Count: > 0 })
        {
            schema.Required = typeInfo.Properties.Where(IsRequired).Select(p => p.Name).ToHashSet();
            var alternatives = typeInfo.Type.GetCustomAttributes<ExactlyOneOfAttribute>().ToList();
            if (alternatives.Count > 0)
            {
                schema.OneOf = alternatives.SelectMany(a => a.Properties)
                    .Select(name => (IOpenApiSchema)new OpenApiSchema { Required = new HashSet<string> { name } })
                    .ToList();
            }
        }
        if (context.JsonPropertyInfo is { } property && property.DeclaringType is { } declaring && requestTypes.Contains(declaring))
        {
            ApplyRules(schema, property);
        }
        return Task.CompletedTask;
    }

    private static IEnumerable<Attribute> AttributesOf(JsonPropertyInfo property) =>
        (property.AttributeProvider?.GetCustomAttributes(inherit: true) ?? [])
        .Concat(property.AssociatedParameter?.AttributeProvider?.GetCustomAttributes(inherit: true) ?? [])
        .OfType<Attribute>();

    private static bool IsRequired(JsonPropertyInfo property) =>
        property.IsRequired || AttributesOf(property).OfType<RequiredAttribute>().Any();

    private static void ApplyRules(OpenApiSchema schema, JsonPropertyInfo property)
    {
        var attributes = AttributesOf(property).ToList();
        if (IsRequired(property) && schema.Type is { } type && type.HasFlag(JsonSchemaType.Null))
        {
            schema.Type = type & ~JsonSchemaType.Null;
        }
        var isString = schema.Type is { } t && t.HasFlag(JsonSchemaType.String) && !t.HasFlag(JsonSchemaType.Integer) && !t.HasFlag(JsonSchemaType.Number);
        if (isString && attributes.OfType<RequiredAttribute>().Any(r => !r.AllowEmptyStrings))
        {
            schema.MinLength = Math.Max(schema.MinLength ?? 0, 1);
        }
        if (attributes.OfType<TextLengthAttribute>().FirstOrDefault() is { } length)
        {
            if (length.Min > 0)
            {
                schema.MinLength = Math.Max(schema.MinLength ?? 0, length.Min);
            }
            schema.Description = Join(schema.Description,
                $"{(length.Min > 0 ? $"{length.Min} to {length.Max}" : $"At most {length.Max}")} characters as a reader counts them " +
                "(a Chinese character, or an emoji with its modifiers, is one)" + (length.Min > 0 ? ", not counting spaces at either end." : "."));
        }
        if (attributes.OfType<IAllowedValues>().FirstOrDefault() is { } allowed)
        {
            var values = allowed.Allowed.Select(v => (JsonNode?)JsonValue.Create(v)).ToList();
            if (schema.Type is { } list && list.HasFlag(JsonSchemaType.Array) && schema.Items is OpenApiSchema items)
            {
                // A list of allowed values: each item is one of them (never null).
                items.Enum = values!;
            }
            else
            {
                if (schema.Type is { } nullable && nullable.HasFlag(JsonSchemaType.Null))
                {
                    values.Add(null);
                }
                schema.Enum = values!;
            }
        }
    }

    private static string Join(string? first, string second) => string.IsNullOrEmpty(first) ? second : $"{first} {second}";

    /// <summary>The types a request body is made of: the body parameters' types and every type they hold, of this assembly.</summary>
    private static IReadOnlySet<Type> RequestTypesOf(IApiDescriptionGroupCollectionProvider apis)
    {
        var found = new HashSet<Type>();
        var pending = new Stack<Type>(apis.ApiDescriptionGroups.Items.SelectMany(g => g.Items)
            .SelectMany(d => d.ParameterDescriptions)
            .Where(p => p.Source == BindingSource.Body && p.Type is not null)
            .Select(p => p.Type));
        while (pending.TryPop(out var type))
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (type != typeof(string) && type.GetInterfaces().Append(type)
                    .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)) is { } enumerable)
            {
                pending.Push(enumerable.GetGenericArguments()[0]);
                continue;
            }
            if (type.Assembly != typeof(RequestSchemas).Assembly || !found.Add(type))
            {
                continue;
            }
            foreach (var member in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                pending.Push(member.PropertyType);
            }
        }
        return found;
    }
}

/// <summary>
/// Exactly one of these properties must be given (the handler checks it and names the error); the
/// request schema states it as a <c>oneOf</c> of the alternatives.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ExactlyOneOfAttribute(params string[] properties) : Attribute
{
    /// <summary>The JSON names of the alternatives.</summary>
    public IReadOnlyList<string> Properties { get; } = properties;
}
