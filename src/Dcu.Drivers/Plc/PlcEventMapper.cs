using Dcu.Core.Model;

namespace Dcu.Drivers.Plc;

/// <summary>
/// Turns what a PLC module says on its own into DCU events for the DCP: meter event uploads,
/// module resets, nodes found by registration, route state changes. Plain module reports and
/// requests are protocol chatter (confirmed by the driver already) and become no event.
/// </summary>
public static class PlcEventMapper
{
    public const string MeterEventUpload = "plc_meter_event";
    public const string ModuleReset = "plc_module_reset";
    public const string NodesReported = "plc_nodes_reported";
    public const string RouteStateChanged = "plc_route_state";

    /// <param name="meterByAddress">The archive's meters on this module, by 12-digit address.</param>
    public static MeterEvent? ToMeterEvent(PlcModuleEvent moduleEvent, string bus, IReadOnlyDictionary<string, MeterId> meterByAddress)
    {
        ArgumentNullException.ThrowIfNull(moduleEvent);
        ArgumentNullException.ThrowIfNull(meterByAddress);
        var t = moduleEvent.Timestamp.ToUnixTimeMilliseconds();
        switch (moduleEvent)
        {
            case PlcMeterFrameReported { IsEvent: true } report:
                var address = report.Meter?.ToString();
                MeterId? meter = address is not null && meterByAddress.TryGetValue(address, out var id) ? id : null;
                var who = meter is null ? $"meter {address ?? "unknown"} (not in the archive)" : $"meter {address}";
                return new MeterEvent(meter, MeterEventUpload, t, $"{bus}: {who} reported an event, {report.Protocol} frame {Convert.ToHexString(report.Frame)}");
            case PlcModuleResetDetected reset:
                return new MeterEvent(null, ModuleReset, t, $"{bus}: module reset detected ({reset.Reason}); route table re-synced");
            case PlcNodesReported nodes:
                var unknown = nodes.Nodes.Select(n => n.ToString()).Where(a => !meterByAddress.ContainsKey(a)).ToArray();
                return new MeterEvent(null, NodesReported, t,
                    $"{bus}: module reported {nodes.Nodes.Count} node(s), {unknown.Length} not in the archive{(unknown.Length > 0 ? ": " + string.Join(" ", unknown.Take(20)) + (unknown.Length > 20 ? " ..." : "") : "")}");
            case PlcRouteWorkChanged route:
                return new MeterEvent(null, RouteStateChanged, t, $"{bus}: module route work state {route.Kind:X2}");
            default:
                return null;
        }
    }
}
