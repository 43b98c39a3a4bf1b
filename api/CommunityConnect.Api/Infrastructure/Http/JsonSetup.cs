using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CommunityConnect.Api.Infrastructure.Http;

public static class JsonSetup
{
    /// <summary>camelCase JSON with Chinese written as Chinese, not \u escapes.</summary>
    public static IServiceCollection AddCommunityJson(this IServiceCollection services) =>
        services.ConfigureHttpJsonOptions(options => Apply(options.SerializerOptions));

    public static void Apply(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        // A JSON API, never inlined into HTML: escape only what JSON requires, so Chinese stays Chinese.
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
    }
}
