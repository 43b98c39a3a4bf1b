using System.Diagnostics.CodeAnalysis;

namespace CommunityConnect.Api.Features.Intake;

/// <summary>
/// The analyser as the rest of the api sees it (singleton). It becomes ready a few seconds after
/// start-up, when <see cref="IntakeWarmUp"/> has loaded the lexicons and trained the model in the
/// background; until then <see cref="IsReady"/> is false and callers answer 503 with Retry-After.
/// After that, <see cref="Analyse"/> is a pure, thread-safe function of the text (≈10 µs).
/// </summary>
public sealed class IntakeAnalyser
{
    private readonly TaskCompletionSource<IntakeComponents> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile IntakeComponents? _components;

    public bool IsReady => _components is not null;

    /// <summary>Why loading failed (a broken data file), or null.</summary>
    public string? Failure { get; private set; }

    /// <summary>Completes when the analyser is ready (or faults when loading failed).</summary>
    public Task WhenReady => _ready.Task;

    /// <summary>How long loading the lexicons, the segmenter and training took.</summary>
    public TimeSpan? LoadTime => _components?.LoadTime;

    /// <summary>The engine, once ready.</summary>
    public IntakeEngine Engine => (_components ?? throw new IntakeNotReadyException()).Engine;

    /// <summary>jieba, once ready, for the paths that may spend ~100 µs on words (FAQ matching, the radar).</summary>
    public ChineseSegmenter? Segmenter => _components?.Segmenter;

    /// <summary>Analyses one message; throws <see cref="IntakeNotReadyException"/> before the analyser is ready.</summary>
    public IntakeAnalysis Analyse(string text) => Engine.Analyse(text);

    public bool TryAnalyse(string text, [NotNullWhen(true)] out IntakeAnalysis? analysis)
    {
        var components = _components;
        analysis = components?.Engine.Analyse(text);
        return analysis is not null;
    }

    internal void Publish(IntakeComponents components)
    {
        _components = components;
        _ready.TrySetResult(components);
    }

    internal void Fail(Exception exception)
    {
        Failure = exception.Message;
        _ready.TrySetException(exception);
    }
}

/// <summary>Thrown by <see cref="IntakeAnalyser.Analyse"/> before the analyser is ready.</summary>
public sealed class IntakeNotReadyException() : InvalidOperationException("The intake analyser is still loading.");

/// <summary>Loads the analyser after the host has started, so /healthz answers at once.</summary>
public sealed class IntakeWarmUp(IntakeAnalyser analyser, IIntakeEngineSource source, ILogger<IntakeWarmUp> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the start-up path: StartAsync returns at the first await.
        await Task.Yield();
        try
        {
            var components = await Task.Run(() => source.LoadAsync(stoppingToken), stoppingToken);
            analyser.Publish(components);
            logger.LogInformation("Intake analyser ready in {Milliseconds} ms", (long)components.LoadTime.TotalMilliseconds);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            analyser.Fail(e);
            logger.LogCritical(e, "Intake analyser failed to load: {Reason}", e.Message);
        }
    }
}
