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
}
