using System.Reflection;
using CommunityConnect.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

namespace CommunityConnect.Api.Infrastructure.Observability;

/// <summary>The node's metrics for the street office (and the Prometheus that scrapes with a street admin's token).</summary>
public static class MetricsApi
{
    public const string Path = "/admin/metrics";

    public static RouteGroupBuilder MapMetrics(this RouteGroupBuilder v1)
    {
        v1.MapGet(Path, Get).WithTags("Observability").RequireAuthorization()
            .WithName("GetMetrics")
            .WithSummary("This node's metrics in Prometheus text format: requests (http.server.request.duration), outbound HTTP, " +
                "the database writer (cc.db.writer.*), jobs (cc.jobs.duration) and WeChat calls (cc.wechat.call.duration).")
            .WithDescription("Street admins only (anyone else signed in: 403). Reads only: the figures since this node started, as " +
                "`text/plain; version=0.0.4` (or OpenMetrics when the Accept header asks for it). Each node answers for itself; " +
                "a worker node serves no api, so its figures leave over OTLP (OTEL_EXPORTER_OTLP_ENDPOINT).")
            .ProducesProblem(403);
        return v1;
    }

    private static async Task<Results<PrometheusText, ProblemHttpResult>> Get(HttpContext http, Tenancy tenancy)
    {
        if (!await tenancy.IsAnyStreetAdminAsync(http.User.RequiredUserId(), http.RequestAborted))
        {
            return TypedResults.Problem(statusCode: 403, title: "The metrics are for the street office.");
        }
        return new PrometheusText();
    }

    /// <summary>The Prometheus exporter's answer, written by its middleware; documented as a 200 of text.</summary>
    public sealed class PrometheusText : IResult, IEndpointMetadataProvider
    {
        public Task ExecuteAsync(HttpContext httpContext) =>
            httpContext.RequestServices.GetRequiredService<MetricsScrape>().WriteAsync(httpContext);

        public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
            builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), ["text/plain"]));
    }
}

/// <summary>The exporter's middleware as a pipeline of its own, run as the last step of the metrics endpoint (after authorization).</summary>
internal sealed class MetricsScrape
{
    private readonly RequestDelegate _scrape;

    public MetricsScrape(IServiceProvider services)
    {
        var pipeline = new ApplicationBuilder(services);
        pipeline.UseOpenTelemetryPrometheusScrapingEndpoint(_ => true);
        _scrape = pipeline.Build();
    }

    public Task WriteAsync(HttpContext context) => _scrape(context);
}
