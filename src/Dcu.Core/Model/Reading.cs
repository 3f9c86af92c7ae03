namespace Dcu.Core.Model;

/// <summary>
/// One value read from one meter. Its identity upstream is (meter, OBIS, interval time), stable
/// across retries and re-sends so the DCP can drop duplicates. Times are Unix milliseconds, UTC.
/// </summary>
public sealed record Reading(
    MeterId Meter,
    ObisCode Obis,
    double Value,
    string Unit,
    long IntervalUnixMs,
    long ReadUnixMs,
    ReadingQuality Quality = ReadingQuality.Good);
