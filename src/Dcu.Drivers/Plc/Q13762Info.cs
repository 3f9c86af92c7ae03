namespace Dcu.Drivers.Plc;

/// <summary>
/// The information field R1..R6 as carried on the wire. Bits common to both directions are read
/// here; <see cref="AsDownlink"/> and <see cref="AsUplink"/> give the direction-specific meanings.
/// </summary>
/// <remarks>R1: D0 route flag, D1 attached node, D2 communication-module flag (address field present),
/// D3 conflict detection, D4..D7 relay level (downlink only; vendor implementations ignore it upstream).
/// R6: sequence number, echoed by the answer.</remarks>
public readonly record struct Q13762Info(byte R1, byte R2, byte R3, byte R4, byte R5, byte Sequence)
{
    public const int Length = 6;

    /// <summary>R1.D0: 0 the module routes (router mode), 1 bypass mode.</summary>
    public bool RouteFlag => (R1 & 0x01) != 0;

    /// <summary>R1.D1: the slave node has attached nodes.</summary>
    public bool AttachedNode => (R1 & 0x02) != 0;

    /// <summary>R1.D2: the frame concerns a slave node and carries the address field A1 [A2] A3.</summary>
    public bool HasAddress => (R1 & 0x04) != 0;

    /// <summary>R1.D4..D7: number of relay addresses A2 (downlink frames).</summary>
    public int RelayLevel => R1 >> 4;

    public static Q13762Info Read(ReadOnlySpan<byte> r) => new(r[0], r[1], r[2], r[3], r[4], r[5]);

    public void Write(Span<byte> destination)
    {
        destination[0] = R1;
        destination[1] = R2;
        destination[2] = R3;
        destination[3] = R4;
        destination[4] = R5;
        destination[5] = Sequence;
    }

    public Q13762DownlinkInfo AsDownlink() => new(this);

    public Q13762UplinkInfo AsUplink() => new(this);

    /// <summary>A downlink R field: address flag, relay level and sequence set, everything else 0.</summary>
    public static Q13762Info Downlink(byte sequence, bool hasAddress, int relayLevel = 0, byte expectedReplyBytes = 0) =>
        new((byte)((hasAddress ? 0x04 : 0) | ((relayLevel & 0x0F) << 4)), 0, expectedReplyBytes, 0, 0, sequence);

    /// <summary>An uplink R field: address flag, event flag and sequence set.</summary>
    public static Q13762Info Uplink(byte sequence, bool hasAddress, bool hasEvent = false, byte phase = 0, byte signalQuality = 0) =>
        new((byte)(hasAddress ? 0x04 : 0), 0, (byte)(phase & 0x0F), (byte)((signalQuality & 0x0F) << 4 | (signalQuality & 0x0F)), (byte)(hasEvent ? 1 : 0), sequence);
}
