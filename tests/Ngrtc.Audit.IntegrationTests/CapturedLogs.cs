using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Ngrtc.Audit.IntegrationTests;

/// <summary>Every log line the suite's service hosts write (after redaction), exceptions included, kept in memory.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public static CapturedLogs Provider { get; } = new();

    private readonly ConcurrentQueue<string> _lines = new();

    public string Text() => string.Join('\n', _lines);

    public int Count => _lines.Count;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // The message, its structured values and the whole exception (messages, inner exceptions, stack).
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {values} {exception}");
        }
    }
}
