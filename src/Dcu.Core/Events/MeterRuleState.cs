using Dcu.Core.Model;

namespace Dcu.Core.Events;

/// <summary>What the reading rules remember of one meter; fixed size apart from at most <see cref="MaxCounters"/> energy counters.</summary>
internal sealed class MeterRuleState
{
    public const int MaxCounters = 32;

    public readonly PhaseState[] Phases = [new(), new(), new()];
    public readonly Dictionary<ObisCode, (double Value, long IntervalUnixMs)> Counters = [];
    public DebouncedCondition ReverseByPower;
    public DebouncedCondition ReverseByExport;
    public DebouncedCondition PowerLimit;
    public DebouncedCondition CoverOpen;
    public DebouncedCondition ClockBatteryLow;
    public MeterStatusFlags? Status;
    public long LastSeen;
    public long LatestInstant = long.MinValue;

    /// <summary>The last event time given per kind, so two events of one meter and kind never share (meter, kind, t), the DCP's identity.</summary>
    public readonly Dictionary<string, long> LastEventTime = new(StringComparer.Ordinal);

    public bool Reverse => ReverseByPower.Active || ReverseByExport.Active;
}

internal sealed class PhaseState
{
    public double? Voltage;
    public DebouncedCondition Sag;
    public DebouncedCondition Swell;
    public DebouncedCondition Lost;
    public DebouncedCondition OverCurrent;
}
