namespace Dcu.Drivers.Plc;

/// <summary>Uplink meanings of R1..R6 (module to concentrator).</summary>
public readonly record struct Q13762UplinkInfo(Q13762Info Raw)
{
    public bool RouteFlag => Raw.RouteFlag;

    public bool HasAddress => Raw.HasAddress;

    /// <summary>R2.D0..D3: channel.</summary>
    public int Channel => Raw.R2 & 0x0F;

    /// <summary>R3.D0..D3: measured phase of the slave node, 0 unknown, 1..3.</summary>
    public int Phase => Raw.R3 & 0x0F;

    /// <summary>R3.D4..D7: meter channel characteristic.</summary>
    public int MeterChannelKind => Raw.R3 >> 4;

    /// <summary>R4.D0..D3: signal quality of the command at the node, 0 none, 1 lowest .. 15.</summary>
    public int CommandSignalQuality => Raw.R4 & 0x0F;

    /// <summary>R4.D4..D7: signal quality of the answer.</summary>
    public int ReplySignalQuality => Raw.R4 >> 4;

    /// <summary>R5.D0: the module has an event to report.</summary>
    public bool HasEvent => (Raw.R5 & 0x01) != 0;

    public byte Sequence => Raw.Sequence;
}
