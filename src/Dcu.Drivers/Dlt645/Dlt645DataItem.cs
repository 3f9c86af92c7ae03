using Dcu.Core.Abstractions;
using Dcu.Core.Model;

namespace Dcu.Drivers.Dlt645;

/// <summary>
/// One data identifier: its layout on the wire (<see cref="Length"/> bytes, <see cref="Decimals"/>,
/// sign bit), its unit as the meter counts it, and, when it is a numeric quantity the DCU
/// collects, the OBIS code and the unit it is reported in (<see cref="ReportScale"/> converts, e.g.
/// kW to W to match the Modbus profiles).
/// </summary>
/// <param name="Length">Value bytes after the DI; 0 for a block whose length is a multiple of 4.</param>
public sealed record Dlt645DataItem(
    Dlt645DataId Id,
    string Name,
    Dlt645ValueKind Kind,
    int Length,
    int Decimals = 0,
    bool Signed = false,
    string MeterUnit = "",
    ObisCode? Obis = null,
    string? ReportedUnit = null,
    decimal ReportScale = 1m)
{
    /// <summary>Decodes the value bytes of a numeric item (33H already removed); <see cref="FormatException"/> on bad BCD or length.</summary>
    public decimal DecodeNumber(ReadOnlySpan<byte> data)
    {
        if (Kind != Dlt645ValueKind.Number) throw new InvalidOperationException($"{Name} ({(uint)Id:X8}) is not a number but {Kind}");
        if (data.Length != Length) throw new FormatException($"{Name} ({(uint)Id:X8}) needs {Length} bytes, the meter sent {data.Length}");
        return Bcd.Decode(data, Decimals, Signed);
    }

    /// <summary>The decoded value as the DCU reports it (OBIS, unit after scaling).</summary>
    public MeterValue ToMeterValue(ReadOnlySpan<byte> data)
    {
        if (Obis is not { } obis) throw new InvalidOperationException($"{Name} ({(uint)Id:X8}) has no OBIS code");
        return new MeterValue(obis, (double)(DecodeNumber(data) * ReportScale), ReportedUnit ?? MeterUnit);
    }
}
