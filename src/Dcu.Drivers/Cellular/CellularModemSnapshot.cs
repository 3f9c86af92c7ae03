namespace Dcu.Drivers.Cellular;

/// <summary>What the modem driver knows now, for diagnostics (the technician console's <c>status</c>).</summary>
/// <param name="Answering">Null before the first poll, false while the modem does not answer.</param>
/// <param name="IccidTail">The ICCID's last 4 digits only ("...1234").</param>
/// <param name="LastPollUtc">When the last complete poll ended.</param>
/// <param name="Timeouts">Commands that got no final result code in time.</param>
/// <param name="PortErrors">Failures to open, read or write the port.</param>
/// <param name="ErrorReplies">ERROR / +CME ERROR answers to commands expected to succeed.</param>
/// <param name="BadResponses">OK answers whose information text could not be parsed.</param>
/// <param name="BadLines">Lines refused by the framer (over-long, NUL, not text).</param>
public sealed record CellularModemSnapshot(
    string Port,
    bool? Answering,
    string? Imei,
    string? IccidTail,
    string? Operator,
    SimState Sim,
    RegistrationState? Registration,
    AccessTechnology? Technology,
    int? Rssi,
    int? SignalDbm,
    int? SignalQuality,
    DateTimeOffset? LastPollUtc,
    string? LastError,
    long Polls,
    long FailedPolls,
    long Timeouts,
    long PortErrors,
    long ErrorReplies,
    long BadResponses,
    long BadLines,
    long Unsolicited);
