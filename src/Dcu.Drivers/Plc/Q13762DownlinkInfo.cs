namespace Dcu.Drivers.Plc;

/// <summary>Downlink meanings of R1..R6 (concentrator to module).</summary>
public readonly record struct Q13762DownlinkInfo(Q13762Info Raw)
{
    public bool RouteFlag => Raw.RouteFlag;

    public bool AttachedNode => Raw.AttachedNode;

    public bool HasAddress => Raw.HasAddress;

    /// <summary>R1.D3.</summary>
    public bool ConflictDetection => (Raw.R1 & 0x08) != 0;

    public int RelayLevel => Raw.RelayLevel;

    /// <summary>R2.D0..D3: channel, 0 = not split into channels.</summary>
    public int Channel => Raw.R2 & 0x0F;

    /// <summary>R2.D4..D7: error-correction coding.</summary>
    public int ErrorCorrection => Raw.R2 >> 4;

    /// <summary>R3: bytes the concentrator expects in the answer.</summary>
    public byte ExpectedReplyBytes => Raw.R3;

    /// <summary>R4..R5 D14..D0: rate, 0 = default.</summary>
    public int Rate => (Raw.R4 | (Raw.R5 << 8)) & 0x7FFF;

    /// <summary>R5.D7: rate unit, false bit/s, true kbit/s.</summary>
    public bool RateInKbps => (Raw.R5 & 0x80) != 0;

    public byte Sequence => Raw.Sequence;
}
