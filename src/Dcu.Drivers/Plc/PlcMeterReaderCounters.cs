using System.Collections.Concurrent;

namespace Dcu.Drivers.Plc;

/// <summary>Counters of a <see cref="PlcMeterReader"/>: relayed reads and why replies were refused.</summary>
public sealed class PlcMeterReaderCounters
{
    private readonly ConcurrentDictionary<string, long> _failures = new(StringComparer.Ordinal);
    private long _requests;
    private long _values;
    private long _timeouts;

    public long Requests => Interlocked.Read(ref _requests);

    public long Values => Interlocked.Read(ref _values);

    public long Timeouts => Interlocked.Read(ref _timeouts);

    /// <summary>Refused replies by reason ("wrong_address", "checksum", ...).</summary>
    public IReadOnlyDictionary<string, long> Failures => new Dictionary<string, long>(_failures, StringComparer.Ordinal);

    public long FailuresOf(string reason) => _failures.GetValueOrDefault(reason);

    internal void AddRequest() => Interlocked.Increment(ref _requests);
    internal void AddValue() => Interlocked.Increment(ref _values);
    internal void AddTimeout() => Interlocked.Increment(ref _timeouts);
    internal void AddFailure(string reason) => _failures.AddOrUpdate(reason, 1, (_, n) => n + 1);
}
