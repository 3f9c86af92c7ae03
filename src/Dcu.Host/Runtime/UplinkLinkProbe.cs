using System.Globalization;
using Dcu.Core.Uplink;

namespace Dcu.Host.Runtime;

/// <summary>
/// The heartbeat's link type (Dcu:UplinkLink): configured ("ethernet", "cellular", "wifi") or
/// "auto", the interface of the default route in /proc/net/route classified by its name. The
/// parser and the classifier are pure; only <see cref="Probe"/> reads the file.
/// </summary>
public sealed class UplinkLinkProbe(string setting, string routeTablePath = UplinkLinkProbe.ProcNetRoute)
{
    public const string ProcNetRoute = "/proc/net/route";

    public static bool IsValidSetting(string? setting) =>
        setting is not null && (Is(setting, "auto") || Is(setting, "ethernet") || Is(setting, "cellular") || Is(setting, "wifi"));

    /// <summary>The link now: the configured type, or the default route's interface and its class (asked per heartbeat: the route may move between links).</summary>
    public StatusReporterLink Probe()
    {
        if (!Is(setting, "auto")) return new StatusReporterLink(setting.ToLowerInvariant(), null);
        if (!File.Exists(routeTablePath)) return new StatusReporterLink("unknown", null);
        var iface = DefaultRouteInterface(File.ReadAllText(routeTablePath));
        return new StatusReporterLink(iface is null ? "unknown" : Classify(iface), iface);
    }

    /// <summary>
    /// The interface of the default route (destination and mask 0, flag RTF_UP) with the lowest
    /// metric, from the text of /proc/net/route; null when there is none. Lines it cannot read are skipped.
    /// </summary>
    public static string? DefaultRouteInterface(string procNetRoute)
    {
        ArgumentNullException.ThrowIfNull(procNetRoute);
        string? best = null;
        var bestMetric = long.MaxValue;
        foreach (var line in procNetRoute.Split('\n').Skip(1))
        {
            // Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT (hex fields, tab separated)
            var f = line.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 8) continue;
            if (!uint.TryParse(f[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var destination)
                || !uint.TryParse(f[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var flags)
                || !long.TryParse(f[6], NumberStyles.Integer, CultureInfo.InvariantCulture, out var metric)
                || !uint.TryParse(f[7], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask)) continue;
            const uint RtfUp = 0x1;
            if (destination != 0 || mask != 0 || (flags & RtfUp) == 0) continue;
            if (metric < bestMetric) { best = f[0]; bestMetric = metric; }
        }
        return best;
    }

    /// <summary>eth*/en* ethernet, wlan*/wl* wifi, wwan*/ppp*/usb*/cdc-wdm* cellular, anything else "unknown".</summary>
    public static string Classify(string iface)
    {
        ArgumentNullException.ThrowIfNull(iface);
        static bool Starts(string s, string p) => s.StartsWith(p, StringComparison.Ordinal);
        if (Starts(iface, "eth") || Starts(iface, "en")) return "ethernet";
        if (Starts(iface, "wwan") || Starts(iface, "ppp") || Starts(iface, "usb") || Starts(iface, "cdc-wdm")) return "cellular";
        if (Starts(iface, "wlan") || Starts(iface, "wl")) return "wifi";
        return "unknown";
    }

    private static bool Is(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
