namespace Dcu.Drivers.Plc;

/// <summary>A copy of <see cref="PlcModuleCounters"/> for reporting.</summary>
public readonly record struct PlcModuleCountersSnapshot(
    long Requests,
    long Responses,
    long Retries,
    long Timeouts,
    long Denies,
    long BadFrames,
    long GarbageBytes,
    long UnsolicitedFrames,
    long UnknownAfn,
    long LateReplies,
    long ModuleResets,
    long ConfirmsSent,
    long WrongAddress,
    long ArchiveSyncs);
