namespace Dcu.Drivers.Modbus;

/// <summary>Settings shared by the RTU and TCP masters.</summary>
public class ModbusMasterOptions
{
    /// <summary>How long to wait for the first byte of a reply.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Extra attempts after a timeout, a bad frame, or an acknowledge/busy exception.</summary>
    public int Retries { get; set; } = 2;

    /// <summary>Pause before retrying after exception 05 (acknowledge) or 06 (busy).</summary>
    public TimeSpan BusyRetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ResponseTimeout, TimeSpan.Zero, nameof(ResponseTimeout));
        ArgumentOutOfRangeException.ThrowIfNegative(Retries, nameof(Retries));
        ArgumentOutOfRangeException.ThrowIfLessThan(BusyRetryDelay, TimeSpan.Zero, nameof(BusyRetryDelay));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }
}
