namespace Dcu.Drivers.Dlt645;

/// <summary>Settings of <see cref="Dlt645Client"/>.</summary>
public sealed class Dlt645ClientOptions
{
    /// <summary>
    /// Wait for the first byte of a reply. The standard lets a meter take 20..500 ms before it
    /// answers; at 2400 baud the request itself takes ~75 ms to leave, so 1 s leaves room.
    /// </summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest gap between two reads of one reply (the standard allows meters up to 500 ms between bytes; real ones are continuous).</summary>
    public TimeSpan InterByteTimeout { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Extra attempts after a timeout or a bad frame. Error replies from the meter are final.</summary>
    public int Retries { get; set; } = 2;

    /// <summary>FE wake-up bytes before each request (0..4; 4 is customary).</summary>
    public int PreambleLength { get; set; } = Dlt645Frame.DefaultPreambleLength;

    /// <summary>Most follow-up frames (12H) fetched for one DI before giving up.</summary>
    public int MaxFollowUpFrames { get; set; } = 16;

    /// <summary>Quiet time after a broadcast before the next request (meters are busy setting their clock).</summary>
    public TimeSpan BroadcastTurnaround { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ResponseTimeout, TimeSpan.Zero, nameof(ResponseTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(InterByteTimeout, TimeSpan.Zero, nameof(InterByteTimeout));
        ArgumentOutOfRangeException.ThrowIfNegative(Retries, nameof(Retries));
        ArgumentOutOfRangeException.ThrowIfNegative(PreambleLength, nameof(PreambleLength));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(PreambleLength, 4, nameof(PreambleLength));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxFollowUpFrames, nameof(MaxFollowUpFrames));
        ArgumentOutOfRangeException.ThrowIfLessThan(BroadcastTurnaround, TimeSpan.Zero, nameof(BroadcastTurnaround));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }
}
