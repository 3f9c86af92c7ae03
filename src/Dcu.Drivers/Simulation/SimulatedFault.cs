namespace Dcu.Drivers.Simulation;

/// <summary>How a unit on a <see cref="SimulatedRtuBus"/> misbehaves on purpose.</summary>
public sealed record SimulatedFault
{
    public static SimulatedFault None { get; } = new();

    /// <summary>Never answers (as if unpowered or at another address).</summary>
    public bool Silent { get; init; }

    /// <summary>Answers with the last CRC byte flipped.</summary>
    public bool CorruptCrc { get; init; }

    /// <summary>Answers only after this long (on the bus's <see cref="TimeProvider"/>): a slow meter or a late reply.</summary>
    public TimeSpan ReplyDelay { get; init; }
}
