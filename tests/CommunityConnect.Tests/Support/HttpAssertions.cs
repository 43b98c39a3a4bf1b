using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CommunityConnect.Tests.Support;

public static class HttpAssertions
{
    /// <summary>Asserts the status and answers the JSON body.</summary>
    public static async Task<JsonElement> Expect(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} but got {(int)response.StatusCode}: {text}");
        return string.IsNullOrEmpty(text) ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts a problem+json answer with this status; answers the problem.</summary>
    public static async Task<JsonElement> ExpectProblem(this HttpResponseMessage response, HttpStatusCode status)
    {
        var problem = await response.Expect(status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        return problem;
    }

    public static Task<HttpResponseMessage> PostJson(this HttpClient client, string url, object? body) =>
        client.PostAsJsonAsync(url, body);

    public static Task<HttpResponseMessage> PutJson(this HttpClient client, string url, object? body) =>
        client.PutAsJsonAsync(url, body);

    /// <summary>GET that must answer 200; answers the JSON body.</summary>
    public static async Task<JsonElement> GetJson(this HttpClient client, string url) =>
        await (await client.GetAsync(url)).Expect(HttpStatusCode.OK);

    public static long Id(this JsonElement element) => element.GetProperty("id").GetInt64();

    public static string Text(this JsonElement element, string property) => element.GetProperty(property).GetString()!;
}
