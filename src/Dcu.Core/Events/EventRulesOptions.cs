using System.Globalization;

namespace Dcu.Core.Events;

/// <summary>
/// Section "EventRules": the thresholds of the rules applied to every reading on its way into the
/// outbox (<see cref="ReadingRules"/>). Every condition has a way in and a way out apart by
/// <see cref="HysteresisPercent"/>, and must hold for <see cref="Confirmations"/> readings in a row
/// before it changes, so a value wobbling at a threshold does not flood the DCP.
/// </summary>
public sealed class EventRulesOptions
{
    public const string SectionName = "EventRules";

    /// <summary>False turns every reading rule off (readings pass through untouched either way).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Nominal phase-to-neutral voltage (V) that sag, swell and phase loss are percentages of.</summary>
    public double NominalVoltage { get; set; } = 230;

    /// <summary>voltage_sag below nominal minus this percentage.</summary>
    public double SagPercent { get; set; } = 10;

    /// <summary>voltage_swell above nominal plus this percentage.</summary>
    public double SwellPercent { get; set; } = 10;

    /// <summary>phase_loss when a phase is below this percentage of nominal while another phase is normal.</summary>
    public double PhaseLossPercent { get; set; } = 50;

    /// <summary>
    /// Distance between entering and leaving a condition, as a percentage of its reference (nominal
    /// voltage for voltages, the limit for current, power and reverse power).
    /// </summary>
    public double HysteresisPercent { get; set; } = 2;

    /// <summary>Readings in a row a condition must hold (or no longer hold) before its event (1..100).</summary>
    public int Confirmations { get; set; } = 1;

    /// <summary>over_current above this per-phase current (A); null: no current rule.</summary>
    public double? CurrentLimit { get; set; }

    /// <summary>power_limit above this total active power magnitude (W); null: no power rule.</summary>
    public double? PowerLimit { get; set; }

    /// <summary>reverse_flow when total active power is below minus this (W) on a consumer meter.</summary>
    public double ReversePowerThreshold { get; set; } = 50;

    /// <summary>reverse_flow when export energy (1.0.2.8.0) grew by more than this (kWh) between two readings of a consumer meter.</summary>
    public double ExportEnergyTolerance { get; set; } = 0.01;

    /// <summary>energy_counter_backwards when a cumulative energy (OBIS C.8.E) fell by more than this (kWh).</summary>
    public double CounterTolerance { get; set; } = 0.01;

    /// <summary>Meters that are allowed to export (PV, storage): no reverse_flow for them. Every other meter is a consumer.</summary>
    public List<string> ProducerMeters { get; set; } = [];

    /// <summary>Most meters whose rule state is kept; the least recently read one is forgotten beyond it.</summary>
    public int MaxMeters { get; set; } = 10_000;

    /// <summary>Problems, each naming its key ("EventRules:SagPercent must be ...").</summary>
    public IReadOnlyList<string> Validate()
    {
        var p = new List<string>();
        void Range(string key, double value, double min, double max)
        {
            if (!double.IsFinite(value) || value < min || value > max)
                p.Add(string.Create(CultureInfo.InvariantCulture, $"{SectionName}:{key} must be {min}..{max} (got {value})"));
        }
        Range(nameof(NominalVoltage), NominalVoltage, 1, 100_000);
        Range(nameof(SagPercent), SagPercent, 1, 90);
        Range(nameof(SwellPercent), SwellPercent, 1, 100);
        Range(nameof(PhaseLossPercent), PhaseLossPercent, 1, 99);
        Range(nameof(HysteresisPercent), HysteresisPercent, 0, 50);
        if (Confirmations is < 1 or > 100) p.Add($"{SectionName}:{nameof(Confirmations)} must be 1..100 (got {Confirmations})");
        if (CurrentLimit is { } c) Range(nameof(CurrentLimit), c, 0.001, 1_000_000);
        if (PowerLimit is { } w) Range(nameof(PowerLimit), w, 1, 1e12);
        Range(nameof(ReversePowerThreshold), ReversePowerThreshold, 0, 1e12);
        Range(nameof(ExportEnergyTolerance), ExportEnergyTolerance, 0, 1e9);
        Range(nameof(CounterTolerance), CounterTolerance, 0, 1e9);
        if (PhaseLossPercent >= 100 - SagPercent && SagPercent is >= 1 and <= 90 && PhaseLossPercent is >= 1 and <= 99)
            p.Add(string.Create(CultureInfo.InvariantCulture, $"{SectionName}:{nameof(PhaseLossPercent)} ({PhaseLossPercent}) must be below the sag threshold (100 - SagPercent = {100 - SagPercent})"));
        if (HysteresisPercent >= SagPercent && HysteresisPercent is >= 0 and <= 50 && SagPercent is >= 1 and <= 90)
            p.Add(string.Create(CultureInfo.InvariantCulture, $"{SectionName}:{nameof(HysteresisPercent)} ({HysteresisPercent}) must be below SagPercent ({SagPercent})"));
        for (var i = 0; i < ProducerMeters.Count; i++)
            if (string.IsNullOrWhiteSpace(ProducerMeters[i])) p.Add($"{SectionName}:{nameof(ProducerMeters)}:{i} is empty");
        if (MaxMeters is < 1 or > 1_000_000) p.Add($"{SectionName}:{nameof(MaxMeters)} must be 1..1000000 (got {MaxMeters})");
        return p;
    }
}
