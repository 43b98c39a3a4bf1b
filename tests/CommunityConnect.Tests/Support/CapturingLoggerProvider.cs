using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CommunityConnect.Tests.Support;

/// <summary>One log entry as the test host wrote it: its category, message, structured values, exception and the values of its scopes (the trace id among them).</summary>
public sealed record CapturedLog(string Category, LogLevel Level, string Message, IReadOnlyList<KeyValuePair<string, object?>> Values, string? Exception,
    IReadOnlyList<KeyValuePair<string, object?>> Scopes)
{
    /// <summary>Everything the entry says, as one text to search.</summary>
    public string AllText =>
        $"{Message} {string.Join(" ", Values.Concat(Scopes).Select(v => $"{v.Key}={v.Value}"))} {Exception}";
}

/// <summary>
/// Keeps every log entry of a test host (all categories, Debug and up), so a test can read the
/// whole log output, for example to prove that it never names an anonymous author.
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider? _scopes;

    public ConcurrentQueue<CapturedLog> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, Entries, () => _scopes);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<CapturedLog> entries, Func<IExternalScopeProvider?> scopes) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => scopes()?.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state as IEnumerable<KeyValuePair<string, object?>> ?? [];
            var scopeValues = new List<KeyValuePair<string, object?>>();
            scopes()?.ForEachScope((scope, list) =>
            {
                if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    list.AddRange(pairs);
                }
                else if (scope is not null)
                {
                    list.Add(new KeyValuePair<string, object?>("Scope", scope.ToString()));
                }
            }, scopeValues);
            entries.Enqueue(new CapturedLog(category, logLevel, formatter(state, exception), values.ToList(), exception?.ToString(), scopeValues));
        }
    }
}
