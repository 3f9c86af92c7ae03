namespace Dcu.Core.Model;

/// <summary>Something that happened to a meter or to the DCU itself, sent upstream ahead of readings.</summary>
/// <param name="Meter">The meter concerned, or null for DCU-side events.</param>
/// <param name="Kind">A stable, snake_case name such as "meter_offline" or "outbox_eviction".</param>
/// <param name="Detail">Human-readable detail; never a secret.</param>
public sealed record MeterEvent(MeterId? Meter, string Kind, long UnixMs, string Detail);

public static class EventKinds
{
    public const string MeterOffline = "meter_offline";
    public const string MeterOnline = "meter_online";
    public const string OutboxEviction = "outbox_eviction";
    public const string DcuStarted = "dcu_started";
    public const string ClockInvalid = "clock_invalid";
}
