namespace Dcu.Core.Collection;

/// <summary>Counters of one bus worker; written by its loop, read as snapshots. Thread-safe.</summary>
internal sealed class BusCounters
{
    private readonly object _gate = new();
    private readonly Dictionary<string, long> _protocolErrors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _unexpected = new(StringComparer.Ordinal);

    public long Requests;
    public long Ok;
    public long Timeouts;
    public long JobsCompleted;
    public long JobsFailed;
    public long JobsLate;
    public long JobsSkippedOffline;
    public long JobsSuperseded;
    public long JobsDropped;
    public long JobsCancelled;
    public long OutboxErrors;
    public long CatchUpsQueued;

    public void Add(ref long counter)
    {
        lock (_gate) counter++;
    }

    public void ProtocolError(string reason)
    {
        lock (_gate) _protocolErrors[reason] = _protocolErrors.GetValueOrDefault(reason) + 1;
    }

    public void Unexpected(Exception ex)
    {
        var key = ex.GetType().Name;
        lock (_gate) _unexpected[key] = _unexpected.GetValueOrDefault(key) + 1;
    }

    public BusCountersSnapshot Snapshot(string bus, int queuedScheduled, int queuedOnDemand)
    {
        lock (_gate)
        {
            return new BusCountersSnapshot(
                bus, Requests, Ok, Timeouts,
                _protocolErrors.Values.Sum(), new Dictionary<string, long>(_protocolErrors, StringComparer.Ordinal),
                _unexpected.Values.Sum(), new Dictionary<string, long>(_unexpected, StringComparer.Ordinal),
                JobsCompleted, JobsFailed, JobsLate, JobsSkippedOffline, JobsSuperseded, JobsDropped, JobsCancelled,
                OutboxErrors, queuedScheduled, queuedOnDemand, CatchUpsQueued);
        }
    }
}

/// <summary>What one bus worker has done since start.</summary>
/// <param name="Requests">Reader calls (attempts, retries included).</param>
/// <param name="Ok">Reader calls that returned values.</param>
/// <param name="Timeouts">Reader calls that timed out (the reader's own or the worker's watchdog).</param>
/// <param name="ProtocolErrors">Reader calls that failed with a <c>MeterProtocolException</c>, total.</param>
/// <param name="ProtocolErrorsByReason">The same, by <c>MeterProtocolException.Reason</c>.</param>
/// <param name="Unexpected">Any other exception in the loop (reader, outbox, bug), total.</param>
/// <param name="UnexpectedByType">The same, by exception type name.</param>
/// <param name="JobsCompleted">Jobs that produced readings.</param>
/// <param name="JobsFailed">Jobs whose every attempt failed.</param>
/// <param name="JobsLate">Jobs completed at or after their deadline (readings flagged Late).</param>
/// <param name="JobsSkippedOffline">Scheduled jobs not attempted because the meter is offline (reduced polling).</param>
/// <param name="JobsSuperseded">Scheduled jobs dropped because a newer interval of the same meter and task was queued.</param>
/// <param name="JobsDropped">Scheduled jobs dropped because the queue was full.</param>
/// <param name="JobsCancelled">On-demand jobs whose requester gave up.</param>
/// <param name="CatchUpsQueued">Catch-up jobs queued to re-read missed intervals (<see cref="IMissedIntervalReader"/>).</param>
/// <param name="OutboxErrors">Appends to the outbox that failed (also in Unexpected).</param>
public sealed record BusCountersSnapshot(
    string Bus,
    long Requests,
    long Ok,
    long Timeouts,
    long ProtocolErrors,
    IReadOnlyDictionary<string, long> ProtocolErrorsByReason,
    long Unexpected,
    IReadOnlyDictionary<string, long> UnexpectedByType,
    long JobsCompleted,
    long JobsFailed,
    long JobsLate,
    long JobsSkippedOffline,
    long JobsSuperseded,
    long JobsDropped,
    long JobsCancelled,
    long OutboxErrors,
    int QueuedScheduled,
    int QueuedOnDemand,
    long CatchUpsQueued = 0);
