using Dcu.Core.Collection;

namespace Dcu.Host.Runtime;

/// <summary>What the status LEDs show, read from the running DCU at one moment.</summary>
/// <param name="Problem">What keeps the DCU from doing its job (the watchdog's <see cref="DcuRuntime.Problem"/>), null when healthy.</param>
/// <param name="UplinkConnected">The MQTT uplink is connected.</param>
/// <param name="OutboxWriteFailing">The outbox cannot commit (disk full, I/O errors).</param>
/// <param name="DeadBuses">Buses with meters of which none is online.</param>
public sealed record StatusSnapshot(string? Problem, bool UplinkConnected, bool OutboxWriteFailing, IReadOnlyList<string> DeadBuses)
{
    /// <summary>Why the fault LED is lit, null when it is not.</summary>
    public string? Fault() =>
        OutboxWriteFailing ? "the outbox cannot write"
        : DeadBuses.Count > 0 ? $"all meters offline on bus {string.Join(", ", DeadBuses)}"
        : null;

    /// <summary>The buses that have meters and none of them online; a bus without meters is not dead, only empty.</summary>
    public static IReadOnlyList<string> DeadBusesOf(IEnumerable<MeterHealthSnapshot> health) =>
        health.GroupBy(h => h.Bus, StringComparer.Ordinal)
            .Where(g => !g.Any(h => h.Online))
            .Select(g => g.Key)
            .Order(StringComparer.Ordinal)
            .ToArray();
}
