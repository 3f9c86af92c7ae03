namespace Dcu.Core.Uplink;

/// <summary>What carries the uplink, for the heartbeat's <c>link</c> object.</summary>
/// <param name="Type">"ethernet", "cellular", "wifi" or "unknown".</param>
/// <param name="Interface">The network interface (e.g. "eth0"), or null when configured rather than found.</param>
public sealed record StatusReporterLink(string Type, string? Interface);
