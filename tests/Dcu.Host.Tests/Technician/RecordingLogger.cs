using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Dcu.Host.Tests.Technician;

/// <summary>Keeps every log entry (level, formatted message and the structured values) so tests can look for what must never be logged.</summary>
internal sealed class RecordingLogger : ILogger
{
    public ConcurrentQueue<(LogLevel Level, string Text)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
        Entries.Enqueue((logLevel, $"{formatter(state, exception)} | {values} | {exception}"));
    }

    public string All => string.Join("\n", Entries.Select(e => e.Text));
}
