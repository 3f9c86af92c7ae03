using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Dcu.Core.Model;

/// <summary>
/// A quantity named by its OBIS code (IEC 62056-61), written "A.B.C.D.E" as in "1.0.32.7.0"
/// (voltage L1). The F group is not used for instantaneous and register values here.
/// </summary>
public readonly record struct ObisCode(byte A, byte B, byte C, byte D, byte E)
{
    public static readonly ObisCode ActiveEnergyImport = new(1, 0, 1, 8, 0);
    public static readonly ObisCode ActiveEnergyExport = new(1, 0, 2, 8, 0);
    public static readonly ObisCode ReactiveEnergyImport = new(1, 0, 3, 8, 0);
    public static readonly ObisCode ReactiveEnergyExport = new(1, 0, 4, 8, 0);
    public static readonly ObisCode ActivePowerTotal = new(1, 0, 16, 7, 0);
    public static readonly ObisCode VoltageL1 = new(1, 0, 32, 7, 0);
    public static readonly ObisCode VoltageL2 = new(1, 0, 52, 7, 0);
    public static readonly ObisCode VoltageL3 = new(1, 0, 72, 7, 0);
    public static readonly ObisCode CurrentL1 = new(1, 0, 31, 7, 0);
    public static readonly ObisCode CurrentL2 = new(1, 0, 51, 7, 0);
    public static readonly ObisCode CurrentL3 = new(1, 0, 71, 7, 0);
    public static readonly ObisCode Frequency = new(1, 0, 14, 7, 0);
    public static readonly ObisCode PowerFactor = new(1, 0, 13, 7, 0);

    public static ObisCode Parse(string text) =>
        TryParse(text, out var code) ? code : throw new FormatException($"'{text}' is not an OBIS code of the form A.B.C.D.E");

    public static bool TryParse([NotNullWhen(true)] string? text, out ObisCode code)
    {
        code = default;
        if (text is null) return false;
        Span<byte> parts = stackalloc byte[5];
        var span = text.AsSpan();
        var n = 0;
        foreach (var range in span.Split('.'))
        {
            if (n == 5 || !byte.TryParse(span[range], NumberStyles.None, CultureInfo.InvariantCulture, out parts[n])) return false;
            n++;
        }
        if (n != 5) return false;
        code = new ObisCode(parts[0], parts[1], parts[2], parts[3], parts[4]);
        return true;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{A}.{B}.{C}.{D}.{E}");
}
