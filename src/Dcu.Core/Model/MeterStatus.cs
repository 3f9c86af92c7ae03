namespace Dcu.Core.Model;

/// <summary>The quantity that carries a meter's alarms as <see cref="MeterStatusFlags"/>.</summary>
public static class MeterStatus
{
    /// <summary>
    /// 0.0.96.5.0: DLMS "internal operating status", whose bits are defined by whoever fills it;
    /// here they are <see cref="MeterStatusFlags"/> (docs/mqtt-contract.md), unit "".
    /// </summary>
    public static readonly ObisCode Obis = new(0, 0, 96, 5, 0);

    public static MeterStatusFlags FromValue(double value) =>
        double.IsFinite(value) && value >= 0 && value <= int.MaxValue ? (MeterStatusFlags)(int)value : MeterStatusFlags.None;
}
