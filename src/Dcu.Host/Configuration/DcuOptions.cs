namespace Dcu.Host.Configuration;

/// <summary>Section "Dcu": who this concentrator is and where it keeps its data.</summary>
public sealed class DcuOptions
{
    public const string Section = "Dcu";

    /// <summary>Identity upstream; part of every topic. Letters, digits, '-' and '_' only.</summary>
    public string Id { get; set; } = "";

    /// <summary>Directory for the outbox database. Created when missing.</summary>
    public string DataDirectory { get; set; } = "/var/lib/dcu";

    /// <summary>Directory of meter profiles (*.json). Relative paths are taken from the program's directory.</summary>
    public string ProfilesDirectory { get; set; } = "meter-profiles";

    /// <summary>How often the retained status (heartbeat) is published.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// What carries the uplink, reported in the heartbeat: "auto" (the interface of the default
    /// route in /proc/net/route), "ethernet", "cellular" or "wifi".
    /// </summary>
    public string UplinkLink { get; set; } = "auto";
}
