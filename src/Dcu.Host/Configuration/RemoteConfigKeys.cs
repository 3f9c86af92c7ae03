namespace Dcu.Host.Configuration;

/// <summary>
/// The settings config.set may change: tuning that cannot cut the DCU off from the DCP or weaken its
/// security, and that <see cref="SettingsValidator"/> bounds (a value it accepts must not crash the next
/// start). Not here on purpose: identity, data directory, buses and meters, the broker address,
/// credentials and TLS, and everything under Commands that concerns signing.
/// </summary>
public static class RemoteConfigKeys
{
    public static IReadOnlyList<string> All { get; } =
    [
        "Dcu:HeartbeatInterval",
        "Collection:Retries",
        "Collection:OfflineThreshold",
        "Collection:OfflinePollDivisor",
        "Collection:RequestTimeout",
        "Collection:CatchUpAttempts",
        "Publisher:BatchSize",
        "Publisher:MaxInFlight",
        "Mqtt:KeepAlive",
        "Mqtt:PublishTimeout",
        "Mqtt:HealthCheckInterval",
        "Mqtt:ReconnectMinDelay",
        "Mqtt:ReconnectMaxDelay",
        "Outbox:MaxItems",
        "Commands:ExecutionTimeout",
    ];

    /// <summary>The key as spelled in <see cref="All"/> (configuration keys are case-insensitive), or null when not allowed.</summary>
    public static string? Canonical(string key) => All.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));
}
