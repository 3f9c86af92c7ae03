using Dcu.Core.Model;

namespace Dcu.Drivers.Dlt645;

/// <summary>
/// The DL/T 645-2007 data identifiers this driver knows (Appendix A of the standard), with their
/// formats and the OBIS codes they are reported under.
/// </summary>
/// <remarks>
/// <para>Formats: energies XXXXXX.XX kWh/kvarh (4 bytes), voltage XXX.X V (2), current XXX.XXX A (3),
/// power XX.XXXX kW/kvar (3), power factor X.XXX (2): checked against shared/protocols/dlt645.md,
/// whose frames were recomputed, and public meter/concentrator sources.</para>
/// <para>Sign bits (top bit of the most significant byte = negative): current, active and reactive
/// power, power factor, combined active energy and combined reactive 1/2 energy. Public
/// descriptions agree on current, power and power factor (the direction of flow); for the
/// combined energies it follows the standard's note that they may be negative. Not confirmed on
/// a real meter: stays marked uncertain. Forward/reverse energies and voltages are unsigned.</para>
/// <para>OBIS choices: combined active = 1.0.15.8.0 (|A+|+|A-| is the IEC meaning of 15; DL/T's
/// "combined" is configurable by the meter's 组合有功特征字 and is A+ + A- by default, which fits).
/// Combined reactive 1/2 = 1.0.3.8.0 / 1.0.4.8.0 (by default QI+QII and QIII+QIV, i.e. R+ and R-).
/// Reactive power total (signed in DL/T) = 1.0.131.7.0, a manufacturer-specific C code, because
/// 1.0.3.7.0 means Q+ only and cannot carry a negative value. Powers are reported in W / var to
/// match the Modbus profiles (the meter counts kW / kvar).</para>
/// <para>Daily frozen values (0506xxxx: the n-th previous freeze is DI0 = n, 1..62) and status
/// words have no OBIS here: they are read through <see cref="Dlt645Client"/> as typed values.
/// Block DIs (0001FF00: total + tariffs in one reply) would save requests; not used by the reader yet.</para>
/// </remarks>
public static class Dlt645DataIdentifiers
{
    private static readonly Dictionary<Dlt645DataId, Dlt645DataItem> ById;
    private static readonly Dictionary<ObisCode, Dlt645DataItem> ByObis;

    static Dlt645DataIdentifiers()
    {
        var items = new List<Dlt645DataItem>
        {
            Energy(Dlt645DataId.CombinedActiveEnergyTotal, "combined active energy total", new ObisCode(1, 0, 15, 8, 0), signed: true),
            Energy(Dlt645DataId.ForwardActiveEnergyTotal, "forward active energy total", ObisCode.ActiveEnergyImport),
            Energy(Dlt645DataId.ReverseActiveEnergyTotal, "reverse active energy total", ObisCode.ActiveEnergyExport),
            Energy(Dlt645DataId.CombinedReactive1EnergyTotal, "combined reactive 1 energy total", ObisCode.ReactiveEnergyImport, signed: true, unit: "kvarh"),
            Energy(Dlt645DataId.CombinedReactive2EnergyTotal, "combined reactive 2 energy total", ObisCode.ReactiveEnergyExport, signed: true, unit: "kvarh"),
            Number(Dlt645DataId.VoltageA, "phase A voltage", 2, 1, false, "V", ObisCode.VoltageL1),
            Number(Dlt645DataId.VoltageB, "phase B voltage", 2, 1, false, "V", ObisCode.VoltageL2),
            Number(Dlt645DataId.VoltageC, "phase C voltage", 2, 1, false, "V", ObisCode.VoltageL3),
            Number(Dlt645DataId.CurrentA, "phase A current", 3, 3, true, "A", ObisCode.CurrentL1),
            Number(Dlt645DataId.CurrentB, "phase B current", 3, 3, true, "A", ObisCode.CurrentL2),
            Number(Dlt645DataId.CurrentC, "phase C current", 3, 3, true, "A", ObisCode.CurrentL3),
            Power(Dlt645DataId.ActivePowerTotal, "active power total", ObisCode.ActivePowerTotal),
            Power(Dlt645DataId.ActivePowerA, "phase A active power", new ObisCode(1, 0, 36, 7, 0)),
            Power(Dlt645DataId.ActivePowerB, "phase B active power", new ObisCode(1, 0, 56, 7, 0)),
            Power(Dlt645DataId.ActivePowerC, "phase C active power", new ObisCode(1, 0, 76, 7, 0)),
            Power(Dlt645DataId.ReactivePowerTotal, "reactive power total", new ObisCode(1, 0, 131, 7, 0), reactive: true),
            Number(Dlt645DataId.PowerFactorTotal, "power factor total", 2, 3, true, "", ObisCode.PowerFactor),
            new(Dlt645DataId.Date, "date and weekday", Dlt645ValueKind.Date, 4),
            new(Dlt645DataId.Time, "time", Dlt645ValueKind.Time, 3),
            new(Dlt645DataId.RunningStatus1, "running status word 1", Dlt645ValueKind.StatusWord, 2),
            new(Dlt645DataId.RunningStatus2, "running status word 2", Dlt645ValueKind.StatusWord, 2),
            new(Dlt645DataId.RunningStatus3, "running status word 3", Dlt645ValueKind.StatusWord, 2),
            new(Dlt645DataId.DailyFrozenTime1, "last daily freeze time", Dlt645ValueKind.FreezeTime, 5),
            new(Dlt645DataId.DailyFrozenForwardActive1, "last daily frozen forward active energy", Dlt645ValueKind.EnergyBlock, 20, 2, false, "kWh"),
            new(Dlt645DataId.DailyFrozenReverseActive1, "last daily frozen reverse active energy", Dlt645ValueKind.EnergyBlock, 20, 2, false, "kWh"),
            new(Dlt645DataId.ForwardActiveEnergyBlock, "forward active energy block", Dlt645ValueKind.EnergyBlock, 0, 2, false, "kWh"),
        };
        for (byte tariff = 1; tariff <= 4; tariff++)
        {
            items.Add(Energy(ForwardActiveEnergyTariff(tariff), $"forward active energy tariff {tariff}", new ObisCode(1, 0, 1, 8, tariff)));
            items.Add(Energy(ReverseActiveEnergyTariff(tariff), $"reverse active energy tariff {tariff}", new ObisCode(1, 0, 2, 8, tariff)));
        }

        All = items;
        ById = items.ToDictionary(i => i.Id);
        ByObis = items.Where(i => i.Obis is not null).ToDictionary(i => i.Obis!.Value);
        Quantities = [.. ByObis.Keys];
    }

    public static IReadOnlyList<Dlt645DataItem> All { get; }

    /// <summary>The OBIS codes a DL/T 645 meter can be read for.</summary>
    public static IReadOnlyCollection<ObisCode> Quantities { get; }

    public static Dlt645DataId ForwardActiveEnergyTariff(byte tariff) => (Dlt645DataId)(0x00010000u | ((uint)tariff << 8));

    public static Dlt645DataId ReverseActiveEnergyTariff(byte tariff) => (Dlt645DataId)(0x00020000u | ((uint)tariff << 8));

    /// <summary>The n-th previous daily freeze (1 = last, up to 62): time, forward and reverse active energy blocks.</summary>
    public static (Dlt645DataId Time, Dlt645DataId Forward, Dlt645DataId Reverse) DailyFrozen(int previous)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(previous, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(previous, 62);
        var n = (uint)previous;
        return ((Dlt645DataId)(0x05060000u | n), (Dlt645DataId)(0x05060100u | n), (Dlt645DataId)(0x05060200u | n));
    }

    public static bool TryGet(Dlt645DataId id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Dlt645DataItem? item) => ById.TryGetValue(id, out item);

    public static bool TryGet(ObisCode obis, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Dlt645DataItem? item) => ByObis.TryGetValue(obis, out item);

    private static Dlt645DataItem Energy(Dlt645DataId id, string name, ObisCode obis, bool signed = false, string unit = "kWh") =>
        new(id, name, Dlt645ValueKind.Number, 4, 2, signed, unit, obis);

    private static Dlt645DataItem Power(Dlt645DataId id, string name, ObisCode obis, bool reactive = false) =>
        new(id, name, Dlt645ValueKind.Number, 3, 4, true, reactive ? "kvar" : "kW", obis, reactive ? "var" : "W", 1000m);

    private static Dlt645DataItem Number(Dlt645DataId id, string name, int length, int decimals, bool signed, string unit, ObisCode obis) =>
        new(id, name, Dlt645ValueKind.Number, length, decimals, signed, unit, obis);
}
