using CommunityConnect.Api.Infrastructure.Nodes;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CommunityConnect.Api.Infrastructure.Observability;

/// <summary>
/// OpenTelemetry for requests, outbound HTTP (WeChat), the database, jobs and WeChat calls. Metrics
/// are always collected and served to street admins at <c>/v1/admin/metrics</c> (Prometheus text);
/// traces, metrics and logs go out over OTLP only when the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
/// is set (the other <c>OTEL_*</c> variables, such as <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, apply as usual).
/// Logs carry the trace and span ids as a scope in any case.
/// </summary>
public static class ObservabilitySetup
{
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static IServiceCollection AddObservability(this IServiceCollection services, IConfiguration configuration)
    {
        // WeChat's query strings hold the app secret, login codes and the access token: keep the runtime's
        // redaction of query strings in HttpClient's logs and spans, whatever the environment asks for.
        AppContext.SetSwitch("System.Net.Http.DisableUriRedaction", false);
        services.Configure<LoggerFactoryOptions>(o => o.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService(configuration["OTEL_SERVICE_NAME"] ?? "communityconnect")
                // Which kind of node sent it, so that a web node's spans and a worker's can be told apart.
                .AddDetector(provider => new NodeRoleDetector(provider.GetRequiredService<IOptions<NodeOptions>>().Value.Role)))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddMeter(Telemetry.MeterNames)
                // An admin reading the endpoint sees the figures of that moment, not a copy kept for other scrapers.
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        if (!string.IsNullOrWhiteSpace(configuration[OtlpEndpointKey]))
        {
            // Spans are made only when something collects them: without a collector they would cost every request for nothing.
            telemetry
                .WithTracing(tracing => tracing
                    .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments(NodeRole.HealthPath))
                    .AddHttpClientInstrumentation()
                    .AddSource(Telemetry.SourceNames))
                .WithLogging()
                .UseOtlpExporter();
        }
        services.AddSingleton<MetricsScrape>();
        return services;
    }
}

internal sealed class NodeRoleDetector(string role) : IResourceDetector
{
    public Resource Detect() => new([new KeyValuePair<string, object>("cc.node.role", role)]);
}
