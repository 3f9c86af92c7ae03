using Dcu.Core.Events;
using Dcu.Core.Model;

namespace Dcu.Core.Tests.Events;

public sealed class ReadingRulesTests
{
    private const long T0 = 1_767_225_600_000;
    private const long Step = 900_000;
    private static readonly MeterId M1 = new("m1");
    private static readonly MeterId M2 = new("m2");

    private static Reading R(MeterId m, ObisCode q, double v, int interval, string unit = "") =>
        new(m, q, v, unit, T0 + interval * Step, T0 + interval * Step + 1234);

    /// <summary>Feeds (interval, value) pairs of one quantity; returns the events, in order.</summary>
    private static List<MeterEvent> Feed(ReadingRules rules, MeterId m, ObisCode q, params double[] values)
    {
        var events = new List<MeterEvent>();
        for (var i = 0; i < values.Length; i++) rules.Evaluate(R(m, q, values[i], i), events);
        return events;
    }

    private static string[] Kinds(IEnumerable<MeterEvent> events) => events.Select(e => e.Kind).ToArray();

    [Fact]
    public void Voltage_sag_enters_below_the_threshold_and_leaves_only_above_the_hysteresis_band()
    {
        // Nominal 230, -10% = 207 V in, 207 + 2% of 230 = 211.6 V out.
        var rules = new ReadingRules(new EventRulesOptions());
        var events = Feed(rules, M1, ObisCode.VoltageL1, 230, 207, 206.9, 207.1, 206.5, 211.5, 209, 211.6, 210);
        Assert.Equal([EventKinds.VoltageSag, EventKinds.VoltageNormal], Kinds(events));
        Assert.Equal(T0 + 2 * Step + 1234, events[0].UnixMs);
        Assert.Equal(T0 + 7 * Step + 1234, events[1].UnixMs);
        Assert.All(events, e => Assert.Equal(M1, e.Meter));
        Assert.Contains("L1 206.9 V", events[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_wobbling_at_the_threshold_raises_one_pair_at_most()
    {
        var rules = new ReadingRules(new EventRulesOptions());
        var wobble = Enumerable.Range(0, 100).Select(i => i % 2 == 0 ? 206.9 : 207.1).ToArray();
        Assert.Equal([EventKinds.VoltageSag], Kinds(Feed(rules, M1, ObisCode.VoltageL1, wobble)));
    }

    [Fact]
    public void Confirmations_debounce_both_ways()
    {
        var rules = new ReadingRules(new EventRulesOptions { Confirmations = 3 });
        var events = Feed(rules, M1, ObisCode.VoltageL2, 200, 200, 230, 200, 200, 200, 230, 230, 200, 230, 230, 230);
        Assert.Equal([EventKinds.VoltageSag, EventKinds.VoltageNormal], Kinds(events));
        Assert.Equal(T0 + 5 * Step + 1234, events[0].UnixMs);
        Assert.Equal(T0 + 11 * Step + 1234, events[1].UnixMs);
    }

    [Fact]
    public void Voltage_swell_and_back()
    {
        var rules = new ReadingRules(new EventRulesOptions());
        // +10% = 253 V in, 253 - 4.6 = 248.4 V out.
        var events = Feed(rules, M1, ObisCode.VoltageL3, 253, 253.1, 250, 248.4);
        Assert.Equal([EventKinds.VoltageSwell, EventKinds.VoltageNormal], Kinds(events));
        Assert.Contains("L3", events[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Phase_loss_needs_another_phase_normal_and_is_not_also_a_sag()
    {
        var rules = new ReadingRules(new EventRulesOptions());
        var events = new List<MeterEvent>();
        void Poll(int i, double l1, double l2, double l3)
        {
            rules.Evaluate(R(M1, ObisCode.VoltageL1, l1, i, "V"), events);
            rules.Evaluate(R(M1, ObisCode.VoltageL2, l2, i, "V"), events);
            rules.Evaluate(R(M1, ObisCode.VoltageL3, l3, i, "V"), events);
        }
        Poll(0, 230, 230, 230);
        Poll(1, 230, 3, 230);
        Assert.Equal([EventKinds.PhaseLoss], Kinds(events));
        Assert.Contains("L2 3 V", events[0].Detail, StringComparison.Ordinal);
        Poll(2, 230, 116, 230);   // 115 + 4.6 = 119.6 V needed to leave: still lost
        Assert.Single(events);
        Poll(3, 230, 229, 230);
        Assert.Equal([EventKinds.PhaseLoss, EventKinds.PhaseRestored], Kinds(events));
    }

    [Fact]
    public void All_phases_low_is_a_sag_on_each_phase_not_a_phase_loss_and_each_event_has_its_own_time()
    {
        var rules = new ReadingRules(new EventRulesOptions());
        var events = new List<MeterEvent>();
        foreach (var q in new[] { ObisCode.VoltageL1, ObisCode.VoltageL2, ObisCode.VoltageL3 }) rules.Evaluate(R(M1, q, 100, 0), events);
        Assert.Equal([EventKinds.VoltageSag, EventKinds.VoltageSag, EventKinds.VoltageSag], Kinds(events));
        // Same poll, same read time: the DCP's identity (meter, kind, t) must still tell them apart.
        Assert.Equal(3, events.Select(e => e.UnixMs).Distinct().Count());
        Assert.Equal(T0 + 1234, events[0].UnixMs);
        Assert.Equal(T0 + 1236, events[2].UnixMs);
    }

    [Fact]
    public void Meters_are_isolated()
    {
        var rules = new ReadingRules(new EventRulesOptions());
        var events = new List<MeterEvent>();
        rules.Evaluate(R(M1, ObisCode.VoltageL1, 200, 0), events);
        rules.Evaluate(R(M2, ObisCode.VoltageL1, 230, 0), events);
        rules.Evaluate(R(M2, ObisCode.VoltageL1, 200, 1), events);
        rules.Evaluate(R(M1, ObisCode.VoltageL1, 200, 1), events);
        Assert.Equal([(M1, EventKinds.VoltageSag), (M2, EventKinds.VoltageSag)], events.Select(e => (e.Meter!.Value, e.Kind)));
        rules.Evaluate(R(M1, ObisCode.VoltageL1, 230, 2), events);
        Assert.Equal((M1, EventKinds.VoltageNormal), (events[^1].Meter!.Value, events[^1].Kind));
        Assert.Equal(3, events.Count);
    }

    [Fact]
    public void Energy_counter_backwards_beyond_the_tolerance_once_then_the_new_value_is_the_baseline()
    {
        var rules = new ReadingRules(new EventRulesOptions { CounterTolerance = 0.01 });
        var events = Feed(rules, M1, ObisCode.ActiveEnergyImport, 1000, 1000.5, 1000.49, 1000.491, 12, 12.5, 13);
        Assert.Equal([EventKinds.EnergyCounterBackwards], Kinds(events));
        Assert.Contains("1.0.1.8.0 fell from 1000.491 to 12", events[0].Detail, StringComparison.Ordinal);
        Assert.Contains("replaced or reset", events[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_catch_up_read_of_a_past_interval_is_not_a_counter_going_backwards()
    {
        var rules = new ReadingRules(new EventRulesOptions());
        var events = new List<MeterEvent>();
        rules.Evaluate(R(M1, ObisCode.ActiveEnergyImport, 500, 10), events);
        rules.Evaluate(R(M1, ObisCode.ActiveEnergyImport, 480, 4), events);   // back-filled older interval
        rules.Evaluate(R(M1, ObisCode.ActiveEnergyImport, 505, 11), events);
        Assert.Empty(events);
        rules.Evaluate(R(M1, ObisCode.VoltageL1, 230, 11), events);
        rules.Evaluate(R(M1, ObisCode.VoltageL1, 100, 3), events);           // stale instantaneous value
        Assert.Empty(events);
    }

    [Fact]
    public void Each_counter_is_compared_with_itself()
    {
        var rules = new ReadingRules(new EventRulesOptions());
        var events = new List<MeterEvent>();
        rules.Evaluate(R(M1, ObisCode.ActiveEnergyImport, 1000, 0), events);
        rules.Evaluate(R(M1, new ObisCode(1, 0, 1, 8, 1), 400, 0), events);
        rules.Evaluate(R(M1, ObisCode.ActiveEnergyImport, 1001, 1), events);
        rules.Evaluate(R(M1, new ObisCode(1, 0, 1, 8, 1), 400.5, 1), events);
        rules.Evaluate(R(M2, ObisCode.ActiveEnergyImport, 5, 1), events);
        Assert.Empty(events);
        // Net energy (C = 16) falls while exporting: not a counter fault.
        rules.Evaluate(R(M1, new ObisCode(1, 0, 16, 8, 0), 300, 0), events);
        rules.Evaluate(R(M1, new ObisCode(1, 0, 16, 8, 0), 250, 1), events);
        Assert.Empty(events);
    }

    [Fact]
    public void Reverse_flow_by_negative_power_with_hysteresis_on_consumers_only()
    {
        var options = new EventRulesOptions { ReversePowerThreshold = 100, HysteresisPercent = 5, ProducerMeters = ["m2"] };
        var rules = new ReadingRules(options);
        // In below -100 W, out at or above -95 W.
        var events = Feed(rules, M1, ObisCode.ActivePowerTotal, 500, -100, -101, -96, -150, -95, -120);
        Assert.Equal([EventKinds.ReverseFlow, EventKinds.ReverseFlowEnd, EventKinds.ReverseFlow], Kinds(events));
        Assert.Empty(Feed(rules, M2, ObisCode.ActivePowerTotal, -5000, -5000));
    }

    [Fact]
    public void Reverse_flow_by_rising_export_energy_ends_when_export_stops_rising()
    {
        var rules = new ReadingRules(new EventRulesOptions { ExportEnergyTolerance = 0.01 });
        var events = Feed(rules, M1, ObisCode.ActiveEnergyExport, 10, 10.01, 10.5, 11, 11.005, 11.005);
        Assert.Equal([EventKinds.ReverseFlow, EventKinds.ReverseFlowEnd], Kinds(events));
        Assert.Equal(T0 + 2 * Step + 1234, events[0].UnixMs);
        Assert.Equal(T0 + 4 * Step + 1234, events[1].UnixMs);
    }

    [Fact]
    public void Reverse_flow_is_one_condition_whichever_signal_raised_it()
    {
        var rules = new ReadingRules(new EventRulesOptions());
        var events = new List<MeterEvent>();
        rules.Evaluate(R(M1, ObisCode.ActiveEnergyExport, 10, 0), events);
        rules.Evaluate(R(M1, ObisCode.ActivePowerTotal, -2000, 1), events);
        rules.Evaluate(R(M1, ObisCode.ActiveEnergyExport, 10.5, 1), events);   // also rising: no second reverse_flow
        rules.Evaluate(R(M1, ObisCode.ActivePowerTotal, 300, 2), events);      // power back, export still rose: still reverse
        rules.Evaluate(R(M1, ObisCode.ActiveEnergyExport, 11, 2), events);
        Assert.Equal([EventKinds.ReverseFlow], Kinds(events));
        rules.Evaluate(R(M1, ObisCode.ActiveEnergyExport, 11, 3), events);
        Assert.Equal([EventKinds.ReverseFlow, EventKinds.ReverseFlowEnd], Kinds(events));
    }

    [Fact]
    public void Over_current_per_phase_and_power_limit_only_when_configured()
    {
        var off = new ReadingRules(new EventRulesOptions());
        Assert.Empty(Feed(off, M1, ObisCode.CurrentL1, 5, 500, 5));
        Assert.Empty(Feed(off, M1, ObisCode.ActivePowerTotal, 5, 50_000, 5));

        var rules = new ReadingRules(new EventRulesOptions { CurrentLimit = 60, PowerLimit = 10_000, HysteresisPercent = 5 });
        // Current: in above 60 A (magnitude: the sign is direction), out at or below 57 A.
        var current = Feed(rules, M1, ObisCode.CurrentL2, 60, -60.1, 58, 57, 61);
        Assert.Equal([EventKinds.OverCurrent, EventKinds.CurrentNormal, EventKinds.OverCurrent], Kinds(current));
        Assert.Contains("L2", current[0].Detail, StringComparison.Ordinal);
        Assert.Empty(Feed(rules, M1, ObisCode.CurrentL1, 10));
        var power = Feed(rules, M2, ObisCode.ActivePowerTotal, 10_000, 10_001, 9_600, 9_500);
        Assert.Equal([EventKinds.PowerLimit, EventKinds.PowerNormal], Kinds(power));
    }

    [Fact]
    public void Status_alarms_cover_relay_and_clock_battery()
    {
        var rules = new ReadingRules(new EventRulesOptions());
        static double F(MeterStatusFlags f) => (double)(int)f;
        var events = Feed(rules, M1, MeterStatus.Obis,
            F(MeterStatusFlags.RelayOpen),                                   // baseline: relay open, no change event
            F(MeterStatusFlags.RelayOpen | MeterStatusFlags.CoverOpen),
            F(MeterStatusFlags.CoverOpen),                                   // relay closed
            F(MeterStatusFlags.CoverOpen | MeterStatusFlags.ClockBatteryLow),
            F(MeterStatusFlags.ClockBatteryLow),
            F(MeterStatusFlags.None));
        Assert.Equal([EventKinds.MeterCoverOpen, EventKinds.RelayStateChanged, EventKinds.ClockBatteryLow, EventKinds.MeterCoverClosed, EventKinds.ClockBatteryOk],
            Kinds(events));
        Assert.Contains("closed", events[1].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_alarm_already_on_at_the_first_status_is_reported()
    {
        var rules = new ReadingRules(new EventRulesOptions());
        var events = Feed(rules, M2, MeterStatus.Obis, (int)MeterStatusFlags.CoverOpen);
        Assert.Equal([EventKinds.MeterCoverOpen], Kinds(events));
    }

    [Fact]
    public void State_is_bounded_by_MaxMeters_forgetting_the_least_recently_read()
    {
        var rules = new ReadingRules(new EventRulesOptions { MaxMeters = 3 });
        var events = new List<MeterEvent>();
        for (var i = 0; i < 10; i++) rules.Evaluate(R(new MeterId($"m{i}"), ObisCode.ActiveEnergyImport, 100, 0), events);
        Assert.Equal(3, rules.TrackedMeters);
        Assert.Equal(7, rules.ForgottenMeters);
        // m9 is remembered: its counter going back is seen; m0 was forgotten, so its next value is a new baseline.
        rules.Evaluate(R(new MeterId("m9"), ObisCode.ActiveEnergyImport, 50, 1), events);
        rules.Evaluate(R(new MeterId("m0"), ObisCode.ActiveEnergyImport, 50, 1), events);
        Assert.Equal([new MeterId("m9")], events.Select(e => e.Meter!.Value));
        Assert.Equal(3, rules.TrackedMeters);
    }

    [Fact]
    public void Non_finite_values_other_quantities_and_disabled_rules_raise_nothing()
    {
        var rules = new ReadingRules(new EventRulesOptions());
        Assert.Empty(Feed(rules, M1, ObisCode.VoltageL1, double.NaN, double.NegativeInfinity, 0.0 / 0.0));
        Assert.Empty(Feed(rules, M1, ObisCode.Frequency, 0, 100));
        var disabled = new ReadingRules(new EventRulesOptions { Enabled = false });
        Assert.Empty(Feed(disabled, M1, ObisCode.VoltageL1, 100, 100, 230));
    }

    [Fact]
    public void Options_validation_names_the_keys()
    {
        var bad = new EventRulesOptions
        {
            NominalVoltage = 0, SagPercent = 95, Confirmations = 0, CurrentLimit = -1, HysteresisPercent = double.NaN,
            ProducerMeters = ["ok", " "], MaxMeters = 0, ReversePowerThreshold = -5,
        };
        var problems = bad.Validate();
        foreach (var key in new[] { "NominalVoltage", "SagPercent", "Confirmations", "CurrentLimit", "HysteresisPercent", "ProducerMeters:1", "MaxMeters", "ReversePowerThreshold" })
            Assert.Contains(problems, p => p.StartsWith("EventRules:" + key, StringComparison.Ordinal));
        Assert.Empty(new EventRulesOptions().Validate());
        Assert.Contains(new EventRulesOptions { PhaseLossPercent = 95 }.Validate(), p => p.StartsWith("EventRules:PhaseLossPercent", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => new ReadingRules(bad));
    }
}
