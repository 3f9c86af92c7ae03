namespace Dcu.Drivers.Profiles;

/// <summary>How <see cref="ReadPlan"/> merges registers into requests.</summary>
public sealed record ReadPlanOptions
{
    /// <summary>FC 03/04 quantity limit of the spec (MODBUS Application Protocol V1.1b3, 6.3/6.4).</summary>
    public const int SpecMaxRegisters = 125;

    public static ReadPlanOptions Default { get; } = new();

    /// <summary>
    /// Largest run of unwanted registers read to join two wanted ones into one request. Reading 8
    /// extra registers costs 16 bytes (about 17 ms at 9600 baud); another round trip costs a request,
    /// the meter's turnaround (often 20-100 ms) and two t3.5 silences, so small gaps are cheaper.
    /// 0 merges only adjacent or overlapping registers. Meters that refuse reads over holes in their
    /// map (exception 02) are handled by the reader falling back to one request per quantity.
    /// </summary>
    public int MaxGap { get; init; } = 8;

    /// <summary>Most registers in one request: 125 by the spec; some meters accept fewer (quirk).</summary>
    public int MaxRegistersPerRequest { get; init; } = SpecMaxRegisters;

    internal void Validate()
    {
        if (MaxGap < 0) throw new ArgumentOutOfRangeException(nameof(MaxGap), MaxGap, "must be >= 0");
        if (MaxRegistersPerRequest is < 4 or > SpecMaxRegisters)
            throw new ArgumentOutOfRangeException(nameof(MaxRegistersPerRequest), MaxRegistersPerRequest, $"must be 4..{SpecMaxRegisters} (a 64-bit value needs 4)");
    }
}
