using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CommunityConnect.Tests.Support;

/// <summary>
/// A real OTLP/HTTP receiver on 127.0.0.1: keeps the protobuf body of every export, by signal
/// (traces, metrics, logs). Protobuf writes strings as plain UTF-8, so a test can search the bytes
/// for span names and attribute values without decoding them.
/// </summary>
public sealed class FakeOtlpCollector : IAsyncDisposable
{
    private WebApplication? _app;

    public string Endpoint { get; private set; } = "";

    public ConcurrentDictionary<string, ConcurrentQueue<byte[]>> Exports { get; } = new();

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            Exports.GetOrAdd(signal, _ => new ConcurrentQueue<byte[]>()).Enqueue(body.ToArray());
            return Results.Bytes([], "application/x-protobuf");
        });
        await _app.StartAsync();
        Endpoint = _app.Urls.First();
    }

    /// <summary>Every export of one signal, as text (UTF-8, invalid bytes replaced) to search.</summary>
    public string Text(string signal) =>
        string.Join("\n", Exports.GetValueOrDefault(signal)?.Select(b => Encoding.UTF8.GetString(b)) ?? []);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

/// <summary>The api exporting over OTLP (http/protobuf) to a <see cref="FakeOtlpCollector"/>, with every log entry captured.</summary>
public sealed class ObservedApp : CommunityApp
{
    public CapturingLoggerProvider Logs { get; } = new();

    public FakeOtlpCollector Collector { get; } = new();

    protected override void ConfigureMore(IWebHostBuilder builder) =>
        builder.ConfigureLogging(logging =>
        {
            logging.AddProvider(Logs);
            logging.AddFilter<CapturingLoggerProvider>(null, LogLevel.Debug);
            logging.SetMinimumLevel(LogLevel.Debug);
        });

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Collector.StartAsync();
        Settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = Collector.Endpoint;
        Settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
    }

    protected override async Task DisposeMoreAsync() => await Collector.DisposeAsync();
}
