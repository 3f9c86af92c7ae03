using System.Collections.Concurrent;
using Dcu.Core.Abstractions;
using Dcu.Core.Model;

namespace Dcu.Core.Tests.Commands.Handlers;

/// <summary>
/// <see cref="IMeterOperations"/> over an in-memory archive: each bus has one <see cref="FakeMeterControl"/>
/// (or none), operations run at once, and every job is counted.
/// </summary>
internal sealed class FakeMeterOperations : IMeterOperations
{
    private readonly Dictionary<MeterId, Meter> _meters = [];
    private readonly Dictionary<string, FakeMeterControl?> _buses = new(StringComparer.Ordinal);

    public int Jobs;

    public IReadOnlyCollection<Meter> Archive => _meters.Values;

    public Meter Add(string id, string bus, FakeMeterControl? control)
    {
        var meter = new Meter(new MeterId(id), bus, MeterProtocol.Dlt645, "000000000001", "dlt645");
        _meters[meter.Id] = meter;
        _buses[bus] = control;
        return meter;
    }

    public bool TryGetMeter(MeterId id, out Meter meter) => _meters.TryGetValue(id, out meter!);

    public async Task<T> RunOnMeterAsync<T>(MeterId meter, Func<Meter, IMeterControl?, CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        if (!_meters.TryGetValue(meter, out var m)) throw new ArgumentException($"meter {meter} is not in the archive", nameof(meter));
        Interlocked.Increment(ref Jobs);
        return await operation(m, _buses[m.Bus], cancellationToken);
    }

    public async Task<IReadOnlyList<T>> RunOnEachBusAsync<T>(Func<string, IMeterControl?, CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        var results = new List<T>();
        foreach (var (bus, control) in _buses.OrderBy(b => b.Key, StringComparer.Ordinal))
        {
            Interlocked.Increment(ref Jobs);
            results.Add(await operation(bus, control, cancellationToken));
        }
        return results;
    }
}

/// <summary>
/// A bus's meters as a protocol would show them: relays that move on command (unless stuck), clocks
/// kept as offsets from the test's clock, a broadcast that (like DL/T 645 meters) only moves clocks
/// within 5 minutes. Records every command sent.
/// </summary>
internal sealed class FakeMeterControl(TimeProvider time) : IMeterControl
{
    public HashSet<MeterId> WithRelay { get; } = [];

    public ConcurrentDictionary<MeterId, RelayState> Relays { get; } = new();

    /// <summary>Meters whose relay ignores commands (read-back disagrees).</summary>
    public HashSet<MeterId> Stuck { get; } = [];

    /// <summary>Meters that refuse commands with this exception.</summary>
    public Dictionary<MeterId, Exception> Refuse { get; } = [];

    public ConcurrentDictionary<MeterId, TimeSpan> ClockOffsets { get; } = new();

    public bool CanBroadcast { get; set; } = true;

    public ConcurrentQueue<string> Sent { get; } = new();

    public bool SupportsRelay(Meter meter) => WithRelay.Contains(meter.Id);

    public Task<RelayState> ReadRelayAsync(Meter meter, CancellationToken cancellationToken) =>
        Task.FromResult(Relays.GetValueOrDefault(meter.Id, RelayState.Connected));

    public Task SetRelayAsync(Meter meter, RelayAction action, CancellationToken cancellationToken)
    {
        Sent.Enqueue($"{meter.Id} relay {action}");
        if (Refuse.TryGetValue(meter.Id, out var ex)) throw ex;
        if (!Stuck.Contains(meter.Id)) Relays[meter.Id] = action == RelayAction.Disconnect ? RelayState.Disconnected : RelayState.Connected;
        return Task.CompletedTask;
    }

    public bool SupportsClock(Meter meter) => ClockOffsets.ContainsKey(meter.Id);

    public Task<DateTimeOffset> ReadClockAsync(Meter meter, CancellationToken cancellationToken)
    {
        if (Refuse.TryGetValue(meter.Id, out var ex)) throw ex;
        // Whole seconds, like a meter.
        var t = time.GetUtcNow() + ClockOffsets[meter.Id];
        return Task.FromResult(new DateTimeOffset(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero));
    }

    public Task SetClockAsync(Meter meter, DateTimeOffset utc, CancellationToken cancellationToken)
    {
        Sent.Enqueue($"{meter.Id} clock");
        ClockOffsets[meter.Id] = utc - time.GetUtcNow();
        return Task.CompletedTask;
    }

    public Task<bool> BroadcastTimeAsync(DateTimeOffset utc, CancellationToken cancellationToken)
    {
        if (!CanBroadcast) return Task.FromResult(false);
        Sent.Enqueue("broadcast");
        foreach (var (id, offset) in ClockOffsets)
            if (offset.Duration() <= TimeSpan.FromMinutes(5)) ClockOffsets[id] = utc - time.GetUtcNow();
        return Task.FromResult(true);
    }
}
