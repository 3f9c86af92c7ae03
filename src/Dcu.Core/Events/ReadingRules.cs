using System.Globalization;
using Dcu.Core.Model;

namespace Dcu.Core.Events;

/// <summary>
/// The rules that turn readings into meter events (docs/mqtt-contract.md, event kinds): a cumulative
/// energy that went backwards, reverse flow on a consumer meter, voltage sag/swell and phase loss per
/// phase, over-current, power limit, and the alarms of <see cref="MeterStatusFlags"/>. Each condition
/// gives one event on entering and one on leaving, with hysteresis and debounce
/// (<see cref="EventRulesOptions"/>). Readings older than what the rules already saw of a meter (a
/// catch-up of a past interval) change nothing, so a back-filled energy is never "backwards".
/// Not thread-safe: one caller at a time (<see cref="RuleEventsOutboxWriter"/> locks).
/// </summary>
public sealed class ReadingRules
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly string[] PhaseNames = ["L1", "L2", "L3"];

    private readonly EventRulesOptions _o;
    private readonly HashSet<string> _producers;
    private readonly Dictionary<MeterId, MeterRuleState> _meters = [];
    private readonly double _sagEnter, _sagLeave, _swellEnter, _swellLeave, _lossEnter, _lossLeave;
    private long _sequence;

    public ReadingRules(EventRulesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems), nameof(options));
        _o = options;
        _producers = new HashSet<string>(options.ProducerMeters, StringComparer.Ordinal);
        var n = options.NominalVoltage;
        var h = n * options.HysteresisPercent / 100;
        _sagEnter = n * (1 - options.SagPercent / 100);
        _sagLeave = _sagEnter + h;
        _swellEnter = n * (1 + options.SwellPercent / 100);
        _swellLeave = _swellEnter - h;
        _lossEnter = n * options.PhaseLossPercent / 100;
        _lossLeave = _lossEnter + h;
    }

    /// <summary>Meters whose state is kept now (at most <see cref="EventRulesOptions.MaxMeters"/>).</summary>
    public int TrackedMeters => _meters.Count;

    /// <summary>Meters forgotten to stay within <see cref="EventRulesOptions.MaxMeters"/> since start.</summary>
    public long ForgottenMeters { get; private set; }

    /// <summary>Adds to <paramref name="events"/> the events <paramref name="reading"/> gives rise to (usually none).</summary>
    public void Evaluate(Reading reading, List<MeterEvent> events)
    {
        ArgumentNullException.ThrowIfNull(reading);
        ArgumentNullException.ThrowIfNull(events);
        if (!_o.Enabled || !double.IsFinite(reading.Value)) return;
        var q = reading.Obis;
        var kind = Classify(q, out var phase);
        if (kind == Quantity.Other) return;
        var s = StateOf(reading.Meter);
        // Instantaneous values older than the last seen (a late or catch-up read) are history, not news.
        if (kind != Quantity.Counter && !IsCurrent(s, reading)) return;
        var ctx = new Context(s, reading, events);
        switch (kind)
        {
            case Quantity.Counter: Counter(ctx); break;
            case Quantity.Voltage: Voltage(ctx, phase); break;
            case Quantity.Current: Current(ctx, phase); break;
            case Quantity.PowerTotal: Power(ctx); break;
            case Quantity.Status: Status(ctx); break;
        }
    }

    private enum Quantity { Other, Counter, Voltage, Current, PowerTotal, Status }

    private static Quantity Classify(ObisCode q, out int phase)
    {
        phase = -1;
        if (q == MeterStatus.Obis) return Quantity.Status;
        if (q.A != 1) return Quantity.Other;
        // C = 16 is net energy (import minus export): it falls whenever the site exports, which is no fault.
        if (q.D == 8) return q.C == 16 ? Quantity.Other : Quantity.Counter;
        if (q.D != 7 || q.E != 0) return Quantity.Other;
        switch (q.C)
        {
            case 32 or 52 or 72: phase = (q.C - 32) / 20; return Quantity.Voltage;
            case 31 or 51 or 71: phase = (q.C - 31) / 20; return Quantity.Current;
            case 16: return Quantity.PowerTotal;
            default: return Quantity.Other;
        }
    }

    private MeterRuleState StateOf(MeterId meter)
    {
        if (!_meters.TryGetValue(meter, out var s))
        {
            if (_meters.Count >= _o.MaxMeters)
            {
                // Rare (more meters than configured): a linear scan for the least recently read one is fine.
                var oldest = _meters.MinBy(kv => kv.Value.LastSeen).Key;
                _meters.Remove(oldest);
                ForgottenMeters++;
            }
            s = new MeterRuleState();
            _meters[meter] = s;
        }
        s.LastSeen = ++_sequence;
        return s;
    }

    private static bool IsCurrent(MeterRuleState s, Reading r)
    {
        if (r.IntervalUnixMs < s.LatestInstant) return false;
        s.LatestInstant = r.IntervalUnixMs;
        return true;
    }

    private readonly record struct Context(MeterRuleState State, Reading Reading, List<MeterEvent> Events)
    {
        public double V => Reading.Value;

        public void Raise(string kind, string detail)
        {
            // (meter, kind, t) is the DCP's identity of an event: two of a kind from one poll (two phases) must not share t.
            var t = Reading.ReadUnixMs;
            if (State.LastEventTime.TryGetValue(kind, out var last) && t <= last) t = last + 1;
            State.LastEventTime[kind] = t;
            Events.Add(new MeterEvent(Reading.Meter, kind, t, detail));
        }
    }

    private void Counter(Context c)
    {
        var s = c.State;
        var q = c.Reading.Obis;
        if (!s.Counters.TryGetValue(q, out var last))
        {
            if (s.Counters.Count < MeterRuleState.MaxCounters) s.Counters[q] = (c.V, c.Reading.IntervalUnixMs);
            return;
        }
        if (c.Reading.IntervalUnixMs <= last.IntervalUnixMs) return;
        s.Counters[q] = (c.V, c.Reading.IntervalUnixMs);
        if (c.V < last.Value - _o.CounterTolerance)
            c.Raise(EventKinds.EnergyCounterBackwards, F($"{q} fell from {last.Value} to {c.V} {c.Reading.Unit} (meter replaced or reset?)"));
        if (q == ObisCode.ActiveEnergyExport && !_producers.Contains(c.Reading.Meter.Value))
        {
            var delta = c.V - last.Value;
            var wasReverse = s.Reverse;
            var change = s.ReverseByExport.Active ? delta <= _o.ExportEnergyTolerance : delta > _o.ExportEnergyTolerance;
            if (s.ReverseByExport.Update(change, _o.Confirmations))
                ReverseChanged(c, wasReverse, F($"export energy {q} {(delta > _o.ExportEnergyTolerance ? "rose" : "stopped rising")}: {last.Value} -> {c.V} {c.Reading.Unit}"));
        }
    }

    private void ReverseChanged(Context c, bool wasReverse, string why)
    {
        if (c.State.Reverse == wasReverse) return;
        c.Raise(c.State.Reverse ? EventKinds.ReverseFlow : EventKinds.ReverseFlowEnd, why + " on a consumer meter");
    }

    private void Voltage(Context c, int phase)
    {
        var s = c.State;
        var p = s.Phases[phase];
        p.Voltage = c.V;
        var name = PhaseNames[phase];
        var v = c.V;
        var otherNormal = false;
        for (var i = 0; i < 3; i++)
            if (i != phase && s.Phases[i] is { Voltage: { } ov } other && ov >= _sagEnter && ov <= _swellEnter && !other.Lost.Active)
                otherNormal = true;
        var lossCandidate = v < _lossEnter && otherNormal;

        if (p.Lost.Update(p.Lost.Active ? v >= _lossLeave : lossCandidate, _o.Confirmations))
            c.Raise(p.Lost.Active ? EventKinds.PhaseLoss : EventKinds.PhaseRestored,
                F($"{name} {v} V ({(p.Lost.Active ? "below" : "back above")} {_lossEnter} V, {_o.PhaseLossPercent}% of nominal)"));
        // A lost phase is reported as phase_loss, not as a sag as well.
        if (p.Sag.Update(p.Sag.Active ? v >= _sagLeave : v < _sagEnter && !lossCandidate && !p.Lost.Active, _o.Confirmations))
            c.Raise(p.Sag.Active ? EventKinds.VoltageSag : EventKinds.VoltageNormal,
                F($"{name} {v} V ({(p.Sag.Active ? "below" : "back from a sag, at or above")} {(p.Sag.Active ? _sagEnter : _sagLeave)} V)"));
        if (p.Swell.Update(p.Swell.Active ? v <= _swellLeave : v > _swellEnter, _o.Confirmations))
            c.Raise(p.Swell.Active ? EventKinds.VoltageSwell : EventKinds.VoltageNormal,
                F($"{name} {v} V ({(p.Swell.Active ? "above" : "back from a swell, at or below")} {(p.Swell.Active ? _swellEnter : _swellLeave)} V)"));
    }

    private void Current(Context c, int phase)
    {
        if (_o.CurrentLimit is not { } limit) return;
        var p = c.State.Phases[phase];
        var i = Math.Abs(c.V);
        var leave = limit * (1 - _o.HysteresisPercent / 100);
        if (p.OverCurrent.Update(p.OverCurrent.Active ? i <= leave : i > limit, _o.Confirmations))
            c.Raise(p.OverCurrent.Active ? EventKinds.OverCurrent : EventKinds.CurrentNormal,
                F($"{PhaseNames[phase]} {c.V} A ({(p.OverCurrent.Active ? "above" : "at or below")} {(p.OverCurrent.Active ? limit : leave)} A)"));
    }

    private void Power(Context c)
    {
        var s = c.State;
        var w = c.V;
        if (_o.PowerLimit is { } limit)
        {
            var leave = limit * (1 - _o.HysteresisPercent / 100);
            if (s.PowerLimit.Update(s.PowerLimit.Active ? Math.Abs(w) <= leave : Math.Abs(w) > limit, _o.Confirmations))
                c.Raise(s.PowerLimit.Active ? EventKinds.PowerLimit : EventKinds.PowerNormal,
                    F($"active power {w} {c.Reading.Unit} ({(s.PowerLimit.Active ? "above" : "at or below")} {(s.PowerLimit.Active ? limit : leave)})"));
        }
        if (_producers.Contains(c.Reading.Meter.Value)) return;
        var enter = -_o.ReversePowerThreshold;
        var back = -_o.ReversePowerThreshold * (1 - _o.HysteresisPercent / 100);
        var wasReverse = s.Reverse;
        if (s.ReverseByPower.Update(s.ReverseByPower.Active ? w >= back : w < enter, _o.Confirmations))
            ReverseChanged(c, wasReverse, F($"active power {w} {c.Reading.Unit} ({(s.ReverseByPower.Active ? "below" : "back at or above")} {(s.ReverseByPower.Active ? enter : back)})"));
    }

    private void Status(Context c)
    {
        var s = c.State;
        var flags = MeterStatus.FromValue(c.V);
        var previous = s.Status;
        s.Status = flags;
        if (previous is null)
        {
            // The first status is a baseline for the relay (no "change" at start); alarms already on are reported.
            s.CoverOpen.Reset(false);
            s.ClockBatteryLow.Reset(false);
        }
        else if ((previous.Value ^ flags).HasFlag(MeterStatusFlags.RelayOpen))
        {
            c.Raise(EventKinds.RelayStateChanged, flags.HasFlag(MeterStatusFlags.RelayOpen) ? "relay opened (supply disconnected)" : "relay closed (supply connected)");
        }
        var cover = flags.HasFlag(MeterStatusFlags.CoverOpen);
        if (s.CoverOpen.Update(s.CoverOpen.Active != cover, _o.Confirmations))
            c.Raise(cover ? EventKinds.MeterCoverOpen : EventKinds.MeterCoverClosed, cover ? "the meter reports its cover open" : "the meter reports its cover closed");
        var battery = flags.HasFlag(MeterStatusFlags.ClockBatteryLow);
        if (s.ClockBatteryLow.Update(s.ClockBatteryLow.Active != battery, _o.Confirmations))
            c.Raise(battery ? EventKinds.ClockBatteryLow : EventKinds.ClockBatteryOk, battery ? "the meter reports its clock battery low" : "the meter no longer reports its clock battery low");
    }

    private static string F(FormattableString text) => text.ToString(Inv);
}
