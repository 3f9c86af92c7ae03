namespace Dcu.Core.Model;

/// <summary>Something that happened to a meter or to the DCU itself, sent upstream ahead of readings.</summary>
/// <param name="Meter">The meter concerned, or null for DCU-side events.</param>
/// <param name="Kind">A stable, snake_case name such as "meter_offline" or "outbox_eviction".</param>
/// <param name="Detail">Human-readable detail; never a secret.</param>
public sealed record MeterEvent(MeterId? Meter, string Kind, long UnixMs, string Detail);

/// <summary>The event kinds of docs/mqtt-contract.md. A condition has a pair: one kind on entering it, one on leaving it.</summary>
public static class EventKinds
{
    public const string MeterOffline = "meter_offline";
    public const string MeterOnline = "meter_online";
    public const string OutboxEviction = "outbox_eviction";
    public const string DcuStarted = "dcu_started";
    public const string ClockInvalid = "clock_invalid";

    // Reading rules (Events/ReadingRules), per meter.
    public const string EnergyCounterBackwards = "energy_counter_backwards";
    public const string ReverseFlow = "reverse_flow";
    public const string ReverseFlowEnd = "reverse_flow_end";
    public const string VoltageSag = "voltage_sag";
    public const string VoltageSwell = "voltage_swell";
    public const string VoltageNormal = "voltage_normal";
    public const string PhaseLoss = "phase_loss";
    public const string PhaseRestored = "phase_restored";
    public const string OverCurrent = "over_current";
    public const string CurrentNormal = "current_normal";
    public const string PowerLimit = "power_limit";
    public const string PowerNormal = "power_normal";
    public const string MeterCoverOpen = "meter_cover_open";
    public const string MeterCoverClosed = "meter_cover_closed";
    public const string RelayStateChanged = "relay_state_changed";
    public const string ClockBatteryLow = "clock_battery_low";
    public const string ClockBatteryOk = "clock_battery_ok";

    // DCU-side (Host runtime watchers).
    public const string PowerRestored = "power_restored";
    public const string UplinkDown = "uplink_down";
    public const string UplinkUp = "uplink_up";
    public const string ClockStep = "clock_step";
    public const string Tamper = "tamper";
    public const string TamperCleared = "tamper_cleared";

    /// <summary>A failed login on the technician console (Dcu.Host): the detail names the user tried, the failures in a row and whether the console is now locked; never the password.</summary>
    public const string ConsoleLoginFailed = "console_login_failed";
}
