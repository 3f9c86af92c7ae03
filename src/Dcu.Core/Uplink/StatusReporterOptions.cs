using Dcu.Core.Abstractions;
using Dcu.Core.Events;

namespace Dcu.Core.Uplink;

/// <summary>Settings of <see cref="StatusReporter"/>.</summary>
public sealed class StatusReporterOptions
{
    /// <summary>How often the retained status is re-published (and once at start).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Software version reported; defaults to the Dcu.Core assembly's informational version.</summary>
    public string? Version { get; set; }

    /// <summary>Today's collection quality (usually <c>CollectionQuality.Snapshot</c>); null omits it.</summary>
    public Func<QualitySnapshot>? Quality { get; set; }

    /// <summary>What carries the uplink now (asked at every heartbeat: the default route may move); null omits <c>link</c>.</summary>
    public Func<StatusReporterLink?>? Link { get; set; }

    /// <summary>The uplink's radio signal; null (or a null reading) reports <c>link.signalDbm</c> and <c>link.signalQuality</c> as null.</summary>
    public ILinkSignal? Signal { get; set; }
}
