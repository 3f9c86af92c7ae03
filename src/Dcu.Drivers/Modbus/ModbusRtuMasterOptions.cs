namespace Dcu.Drivers.Modbus;

/// <summary>Settings of <see cref="ModbusRtuMaster"/>.</summary>
public sealed class ModbusRtuMasterOptions : ModbusMasterOptions
{
    /// <summary>Minimum inter-byte timeout used when <see cref="InterByteTimeout"/> is not set.</summary>
    public static readonly TimeSpan MinimumInterByteTimeout = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Longest gap between two reads of one reply; null = max(t3.5 of the link, 50 ms).
    /// The spec's t1.5 cannot be enforced from user space: ptys have no baud timing at all, and
    /// USB adapters and the kernel deliver bytes in bursts (FTDI latency timer 16 ms, scheduler
    /// jitter), so a strict t1.5/t3.5 read timeout would cut healthy replies in two.
    /// </summary>
    public TimeSpan? InterByteTimeout { get; set; }

    /// <summary>Silence after a broadcast before the next request ("turnaround delay", spec 2.4.1: 100..200 ms).</summary>
    public TimeSpan BroadcastTurnaround { get; set; } = TimeSpan.FromMilliseconds(100);
}
