using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Dcu.Drivers.Tests.Mqtt;

/// <summary>Keeps every formatted log line, to check what was logged (and what never is).</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public string Text => string.Join('\n', _lines);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        _lines.Enqueue($"{logLevel}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
    }
}
