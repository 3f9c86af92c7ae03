using System.Collections.Concurrent;

namespace Dcu.Drivers.Dlt645;

/// <summary>Thread-safe counters of one DL/T 645 bus. Written by the client, read by anyone.</summary>
public sealed class Dlt645BusCounters
{
    private readonly ConcurrentDictionary<string, long> _errorReplies = new(StringComparer.Ordinal);
    private long _requests;
    private long _responses;
    private long _broadcasts;
    private long _retries;
    private long _timeouts;
    private long _checksumErrors;
    private long _frameErrors;
    private long _wrongAddress;
    private long _errorReplyCount;
    private long _followUpFrames;
    private long _garbageBytes;
    private long _discardedBytes;

    /// <summary>Frames sent (each retry and each follow-up counts; broadcasts too).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Matching replies received, abnormal replies included.</summary>
    public long Responses => Interlocked.Read(ref _responses);

    public long Broadcasts => Interlocked.Read(ref _broadcasts);

    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Attempts that ended without a whole matching reply in time.</summary>
    public long Timeouts => Interlocked.Read(ref _timeouts);

    public long ChecksumErrors => Interlocked.Read(ref _checksumErrors);

    /// <summary>Well-formed frames that did not match the request (function, DI, length, a request echo).</summary>
    public long FrameErrors => Interlocked.Read(ref _frameErrors);

    /// <summary>Replies from another meter than the one asked.</summary>
    public long WrongAddress => Interlocked.Read(ref _wrongAddress);

    /// <summary>Abnormal replies (D1H, DCH, ...).</summary>
    public long ErrorReplies => Interlocked.Read(ref _errorReplyCount);

    /// <summary>Follow-up frames (12H) requested.</summary>
    public long FollowUpFrames => Interlocked.Read(ref _followUpFrames);

    /// <summary>Bytes skipped while looking for a frame start (noise; FE wake-up bytes of a frame are not counted).</summary>
    public long GarbageBytes => Interlocked.Read(ref _garbageBytes);

    /// <summary>Stale bytes drained before a request.</summary>
    public long DiscardedBytes => Interlocked.Read(ref _discardedBytes);

    /// <summary>Abnormal replies by reason ("dlt645_no_data", "dlt645_unauthorized", ...).</summary>
    public IReadOnlyDictionary<string, long> ErrorRepliesByReason => new Dictionary<string, long>(_errorReplies, StringComparer.Ordinal);

    public Dlt645BusCountersSnapshot Snapshot() => new(
        Requests, Responses, Broadcasts, Retries, Timeouts, ChecksumErrors, FrameErrors, WrongAddress, ErrorReplies, FollowUpFrames, GarbageBytes, DiscardedBytes,
        ErrorRepliesByReason);

    internal void AddRequest() => Interlocked.Increment(ref _requests);

    internal void AddResponse() => Interlocked.Increment(ref _responses);

    internal void AddBroadcast() => Interlocked.Increment(ref _broadcasts);

    internal void AddRetry() => Interlocked.Increment(ref _retries);

    internal void AddTimeout() => Interlocked.Increment(ref _timeouts);

    internal void AddChecksumError() => Interlocked.Increment(ref _checksumErrors);

    internal void AddFrameError() => Interlocked.Increment(ref _frameErrors);

    internal void AddWrongAddress() => Interlocked.Increment(ref _wrongAddress);

    internal void AddFollowUp() => Interlocked.Increment(ref _followUpFrames);

    internal void AddGarbageBytes(long count) => Interlocked.Add(ref _garbageBytes, count);

    internal void AddDiscardedBytes(long count) => Interlocked.Add(ref _discardedBytes, count);

    internal void AddErrorReply(string reason)
    {
        Interlocked.Increment(ref _errorReplyCount);
        _errorReplies.AddOrUpdate(reason, 1, static (_, n) => n + 1);
    }
}

/// <summary>A consistent-enough copy of <see cref="Dlt645BusCounters"/> for reporting.</summary>
public sealed record Dlt645BusCountersSnapshot(
    long Requests,
    long Responses,
    long Broadcasts,
    long Retries,
    long Timeouts,
    long ChecksumErrors,
    long FrameErrors,
    long WrongAddress,
    long ErrorReplies,
    long FollowUpFrames,
    long GarbageBytes,
    long DiscardedBytes,
    IReadOnlyDictionary<string, long> ErrorRepliesByReason);
