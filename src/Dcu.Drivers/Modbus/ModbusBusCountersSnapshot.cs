namespace Dcu.Drivers.Modbus;

/// <summary>A consistent-enough copy of <see cref="ModbusBusCounters"/> for reporting.</summary>
public readonly record struct ModbusBusCountersSnapshot(
    long Requests,
    long Responses,
    long Broadcasts,
    long Retries,
    long Timeouts,
    long CrcErrors,
    long FrameErrors,
    long Exceptions,
    long WrongUnit,
    long GarbageBytes,
    long LateReplies,
    long DiscardedBytes);
