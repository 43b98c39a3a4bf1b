using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CommunityConnect.Tests.Support;

/// <summary>One log entry as the test host wrote it: its category, message, structured values and exception.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, string Message, IReadOnlyList<KeyValuePair<string, object?>> Values, string? Exception);

/// <summary>
/// Keeps every log entry of a test host (all categories, Debug and up), so a test can read the
/// whole log output, for example to prove that it never names an anonymous author.
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<CapturedLog> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, Entries);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<CapturedLog> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state as IEnumerable<KeyValuePair<string, object?>> ?? [];
            entries.Enqueue(new CapturedLog(category, logLevel, formatter(state, exception), values.ToList(), exception?.ToString()));
        }
    }
}
