namespace Dcu.Drivers.Plc;

/// <summary>Thread-safe counters of one PLC module. Written by the driver, read by anyone.</summary>
public sealed class PlcModuleCounters
{
    private long _requests;
    private long _responses;
    private long _retries;
    private long _timeouts;
    private long _denies;
    private long _badFrames;
    private long _garbageBytes;
    private long _unsolicited;
    private long _unknownAfn;
    private long _lateReplies;
    private long _moduleResets;
    private long _confirmsSent;
    private long _wrongAddress;
    private long _archiveSyncs;

    /// <summary>Frames sent to the module (each retry counts), confirmations excluded.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Answers matched to a request (confirm, deny or data).</summary>
    public long Responses => Interlocked.Read(ref _responses);

    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Requests without a matching answer in time, and relays the meter left unanswered.</summary>
    public long Timeouts => Interlocked.Read(ref _timeouts);

    /// <summary>AFN 00 F2 answers.</summary>
    public long Denies => Interlocked.Read(ref _denies);

    /// <summary>Frame-shaped bytes that failed the end byte or checksum, partial frames that stalled, downlink frames seen on the uplink.</summary>
    public long BadFrames => Interlocked.Read(ref _badFrames);

    public long GarbageBytes => Interlocked.Read(ref _garbageBytes);

    /// <summary>Module-initiated frames (PRM=1).</summary>
    public long UnsolicitedFrames => Interlocked.Read(ref _unsolicited);

    /// <summary>Frames with an AFN the driver does not handle, ignored.</summary>
    public long UnknownAfn => Interlocked.Read(ref _unknownAfn);

    /// <summary>Answers matching no request in flight (late, after a timeout; or a foreign sequence number).</summary>
    public long LateReplies => Interlocked.Read(ref _lateReplies);

    public long ModuleResets => Interlocked.Read(ref _moduleResets);

    /// <summary>AFN 00 F1 confirmations and AFN 14 answers sent for module-initiated frames.</summary>
    public long ConfirmsSent => Interlocked.Read(ref _confirmsSent);

    /// <summary>Relay answers from another node than the one asked.</summary>
    public long WrongAddress => Interlocked.Read(ref _wrongAddress);

    public long ArchiveSyncs => Interlocked.Read(ref _archiveSyncs);

    public PlcModuleCountersSnapshot Snapshot() => new(Requests, Responses, Retries, Timeouts, Denies, BadFrames, GarbageBytes,
        UnsolicitedFrames, UnknownAfn, LateReplies, ModuleResets, ConfirmsSent, WrongAddress, ArchiveSyncs);

    internal void AddRequest() => Interlocked.Increment(ref _requests);
    internal void AddResponse() => Interlocked.Increment(ref _responses);
    internal void AddRetry() => Interlocked.Increment(ref _retries);
    internal void AddTimeout() => Interlocked.Increment(ref _timeouts);
    internal void AddDeny() => Interlocked.Increment(ref _denies);
    internal void AddBadFrame() => Interlocked.Increment(ref _badFrames);
    internal void AddGarbageBytes(long n) => Interlocked.Add(ref _garbageBytes, n);
    internal void AddUnsolicited() => Interlocked.Increment(ref _unsolicited);
    internal void AddUnknownAfn() => Interlocked.Increment(ref _unknownAfn);
    internal void AddLateReply() => Interlocked.Increment(ref _lateReplies);
    internal void AddModuleReset() => Interlocked.Increment(ref _moduleResets);
    internal void AddConfirmSent() => Interlocked.Increment(ref _confirmsSent);
    internal void AddWrongAddress() => Interlocked.Increment(ref _wrongAddress);
    internal void AddArchiveSync() => Interlocked.Increment(ref _archiveSyncs);
}
