using Dcu.Core.Model;

namespace Dcu.Core.Collection;

/// <summary>
/// Health of one meter as its bus worker sees it. A job (all its attempts) that fails counts one
/// consecutive failure; after <c>offlineThreshold</c> in a row the meter is offline, and only every
/// <c>offlinePollDivisor</c>-th due scheduled job is attempted (one attempt, no retries), so a dead
/// meter costs its bus little. Any success brings it back online. Thread-safe: the worker writes,
/// status readers take snapshots.
/// </summary>
public sealed class MeterHealth
{
    private readonly object _gate = new();
    private readonly int _offlineThreshold;
    private readonly int _offlinePollDivisor;
    private int _consecutiveFailures;
    private bool _online = true;
    private long? _lastSuccessUnixMs;
    private long? _lastFailureUnixMs;
    private string? _lastError;
    private long _dueWhileOffline;

    public MeterHealth(MeterId meter, int offlineThreshold = 3, int offlinePollDivisor = 4)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(offlineThreshold, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(offlinePollDivisor, 1);
        Meter = meter;
        _offlineThreshold = offlineThreshold;
        _offlinePollDivisor = offlinePollDivisor;
    }

    public MeterId Meter { get; }

    public bool IsOnline { get { lock (_gate) return _online; } }

    /// <summary>
    /// Called when a scheduled job of this meter is due. Always true while online; while offline true
    /// only for every K-th due job (the K-th, 2K-th, ... since the meter went offline).
    /// </summary>
    public bool ShouldPollScheduled()
    {
        lock (_gate)
        {
            if (_online) return true;
            _dueWhileOffline++;
            return _dueWhileOffline % _offlinePollDivisor == 0;
        }
    }

    /// <summary>Records a successful job; true when the meter was offline and is now back online.</summary>
    public bool RecordSuccess(long unixMs)
    {
        lock (_gate)
        {
            var cameBack = !_online;
            _online = true;
            _consecutiveFailures = 0;
            _dueWhileOffline = 0;
            _lastSuccessUnixMs = unixMs;
            return cameBack;
        }
    }

    /// <summary>Records a failed job; true when this failure made the meter go offline.</summary>
    public bool RecordFailure(long unixMs, string error)
    {
        lock (_gate)
        {
            _consecutiveFailures++;
            _lastFailureUnixMs = unixMs;
            _lastError = error;
            if (_online && _consecutiveFailures >= _offlineThreshold)
            {
                _online = false;
                _dueWhileOffline = 0;
                return true;
            }
            return false;
        }
    }

    public MeterHealthSnapshot Snapshot(string bus)
    {
        lock (_gate)
            return new MeterHealthSnapshot(Meter, bus, _online, _consecutiveFailures, _lastSuccessUnixMs, _lastFailureUnixMs, _lastError);
    }
}

/// <summary>Health of one meter for status pages and the DCP.</summary>
/// <param name="LastError">Short reason of the last failure ("timeout", "protocol:crc", ...), null if none yet.</param>
public sealed record MeterHealthSnapshot(
    MeterId Meter,
    string Bus,
    bool Online,
    int ConsecutiveFailures,
    long? LastSuccessUnixMs,
    long? LastFailureUnixMs,
    string? LastError);
