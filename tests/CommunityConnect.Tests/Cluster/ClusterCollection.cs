using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace CommunityConnect.Tests.Cluster;

/// <summary>
/// The multi-node tests run one at a time: each starts several api processes and a PostgreSQL database, which is
/// all a 2-core machine can give; two at once would measure the machine, not the cluster.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "Cluster";
}

/// <summary>Requests as a client of the cluster sends them: its own token on each, sent again after a 503 (Retry-After).</summary>
internal static class ClusterRequests
{
    /// <summary>How many 503s (no database connection to be had, see DatabaseBusy) the clients waited out since the test run began.</summary>
    private static int _busy;

    public static int BusyAnswers => _busy;

    public static async Task<HttpResponseMessage> SendAsync(HttpClient node, HttpMethod method, string path, string token, object? body = null,
        bool retryBusy = true)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (body is not null)
            {
                request.Content = JsonContent.Create(body);
            }
            var response = await node.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || !retryBusy || attempt == 5)
            {
                return response;
            }
            Interlocked.Increment(ref _busy);
            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
            response.Dispose();
        }
    }

    /// <summary>Runs <paramref name="work"/> over <paramref name="items"/>, <paramref name="parallel"/> at a time.</summary>
    public static async Task<TResult[]> InParallelAsync<T, TResult>(IEnumerable<T> items, int parallel, Func<T, int, Task<TResult>> work)
    {
        using var gate = new SemaphoreSlim(parallel);
        return await Task.WhenAll(items.Select(async (item, index) =>
        {
            await gate.WaitAsync();
            try
            {
                return await work(item, index);
            }
            finally
            {
                gate.Release();
            }
        }));
    }
}
