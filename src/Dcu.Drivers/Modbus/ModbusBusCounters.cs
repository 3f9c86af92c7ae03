namespace Dcu.Drivers.Modbus;

/// <summary>Thread-safe counters of one bus or connection. Written by the master, read by anyone.</summary>
public sealed class ModbusBusCounters
{
    private long _requests;
    private long _responses;
    private long _broadcasts;
    private long _retries;
    private long _timeouts;
    private long _crcErrors;
    private long _frameErrors;
    private long _exceptions;
    private long _wrongUnit;
    private long _garbageBytes;
    private long _lateReplies;
    private long _discardedBytes;

    /// <summary>Frames sent (each retry counts).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Valid replies received, exception replies included.</summary>
    public long Responses => Interlocked.Read(ref _responses);

    /// <summary>Broadcast writes sent (no reply expected).</summary>
    public long Broadcasts => Interlocked.Read(ref _broadcasts);

    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Attempts that ended without a whole reply in time.</summary>
    public long Timeouts => Interlocked.Read(ref _timeouts);

    public long CrcErrors => Interlocked.Read(ref _crcErrors);

    /// <summary>Replies with the right CRC that did not match the request (length, echo, function, MBAP).</summary>
    public long FrameErrors => Interlocked.Read(ref _frameErrors);

    /// <summary>Exception replies from devices.</summary>
    public long Exceptions => Interlocked.Read(ref _exceptions);

    /// <summary>Replies that looked like another unit's.</summary>
    public long WrongUnit => Interlocked.Read(ref _wrongUnit);

    /// <summary>Bytes skipped while looking for the start of a reply, or left after it.</summary>
    public long GarbageBytes => Interlocked.Read(ref _garbageBytes);

    /// <summary>Replies to earlier requests: stale bytes before a request, stale TCP transaction ids.</summary>
    public long LateReplies => Interlocked.Read(ref _lateReplies);

    /// <summary>Stale bytes drained from the link before a request.</summary>
    public long DiscardedBytes => Interlocked.Read(ref _discardedBytes);

    public ModbusBusCountersSnapshot Snapshot() => new(
        Requests, Responses, Broadcasts, Retries, Timeouts, CrcErrors, FrameErrors, Exceptions, WrongUnit, GarbageBytes, LateReplies, DiscardedBytes);

    internal void AddRequest() => Interlocked.Increment(ref _requests);

    internal void AddResponse() => Interlocked.Increment(ref _responses);

    internal void AddBroadcast() => Interlocked.Increment(ref _broadcasts);

    internal void AddRetry() => Interlocked.Increment(ref _retries);

    internal void AddTimeout() => Interlocked.Increment(ref _timeouts);

    internal void AddCrcError() => Interlocked.Increment(ref _crcErrors);

    internal void AddFrameError() => Interlocked.Increment(ref _frameErrors);

    internal void AddException() => Interlocked.Increment(ref _exceptions);

    internal void AddWrongUnit() => Interlocked.Increment(ref _wrongUnit);

    internal void AddGarbageBytes(long count) => Interlocked.Add(ref _garbageBytes, count);

    internal void AddLateReply() => Interlocked.Increment(ref _lateReplies);

    internal void AddDiscardedBytes(long count) => Interlocked.Add(ref _discardedBytes, count);
}
