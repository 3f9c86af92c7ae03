using System.Collections.Concurrent;
using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Dcu.Drivers.Dlt645;
using Dcu.Drivers.Plc;
using Dcu.Drivers.Simulation;
using Dcu.Testing;
using Microsoft.Extensions.Logging;

namespace Dcu.Drivers.Tests.Plc;

/// <summary>
/// A PLC site in memory: a <see cref="SimulatedPlcModule"/> with <see cref="SimulatedDlt645Meter"/>
/// responders behind it, driven by the real <see cref="PlcModule"/> (started, archive synced).
/// </summary>
internal sealed class PlcSite : IAsyncDisposable
{
    public static readonly PlcAddress Dcu = PlcAddress.Parse("000000000001");

    private readonly Dictionary<string, SimulatedDlt645Meter> _meters = new(StringComparer.Ordinal);

    private PlcSite(SimulatedPlcModule sim, PlcModule module)
    {
        Sim = sim;
        Module = module;
    }

    public SimulatedPlcModule Sim { get; }

    public PlcModule Module { get; }

    public IReadOnlyDictionary<string, SimulatedDlt645Meter> Meters => _meters;

    public static string Address(int i) => $"{202600000000 + i}";

    public static Meter ArchiveEntry(int i) => new(new MeterId($"plc-{i:D4}"), "plc-1", MeterProtocol.Plc, Address(i), "dlt645");

    /// <summary>Module options scaled by <paramref name="scale"/> (1 = real PLC times: 15 s relay timeout, 0.5 s backoff).</summary>
    public static PlcModuleOptions ModuleOptions(double scale, int maxConcurrent) => new()
    {
        MainNodeAddress = Dcu,
        AfterInitDelay = TimeSpan.Zero,
        CommandTimeout = TimeSpan.FromMilliseconds(500),
        ForwardTimeout = TimeSpan.FromSeconds(15) * scale,
        ForwardRetries = 1,
        RetryBackoff = TimeSpan.FromSeconds(0.5) * scale,
        InterByteTimeout = TimeSpan.FromSeconds(1) * scale, // a stalled partial frame (garbage with a 68H) holds the line this long
        ReadRunMode = false, // the simulator announces a 1 s slave-monitor timeout, which would undo the scaling
        MaxConcurrent = maxConcurrent,
    };

    /// <summary>Starts a site of <paramref name="count"/> single- or three-phase meters (addresses <see cref="Address"/>(0..count-1)) and syncs the archive.</summary>
    public static async Task<PlcSite> StartAsync(int count, SimulatedPlcModuleOptions simOptions, PlcModuleOptions moduleOptions, TimeProvider? time = null,
        ILogger<PlcModule>? logger = null, int phases = 3)
    {
        time ??= TimeProvider.System;
        var sim = new SimulatedPlcModule(time, simOptions);
        var module = new PlcModule(sim, moduleOptions with { TimeProvider = time }, logger);
        var site = new PlcSite(sim, module);
        for (var i = 0; i < count; i++) site.AddMeter(Address(i), time, seed: i, phases);
        await Eventually.WithinAsync(module.StartAsync(CancellationToken.None).ContinueWith(t => { t.GetAwaiter().GetResult(); return true; }, TaskScheduler.Default), "PLC start-up");
        var sync = await module.SyncArchiveAsync([.. site._meters.Keys], CancellationToken.None);
        if (!sync.Verified) throw new InvalidOperationException("archive sync did not verify");
        return site;
    }

    public SimulatedDlt645Meter AddMeter(string address, TimeProvider time, int seed, int phases = 3)
    {
        var meter = new SimulatedDlt645Meter(Dlt645Address.Parse(address), time, seed, phases: phases);
        _meters[address] = meter;
        Sim.AddMeter(address, frame =>
        {
            lock (meter) return meter.Respond(frame.Span);
        });
        return meter;
    }

    public ValueTask DisposeAsync() => Module.DisposeAsync();
}

/// <summary>The system clock shifted by a fixed offset: real timers, a chosen wall-clock time (e.g. just before an interval boundary).</summary>
internal sealed class ShiftedTimeProvider : TimeProvider
{
    private long _offsetTicks;

    public ShiftedTimeProvider(DateTimeOffset now) => SetUtcNow(now);

    /// <summary>Moves the wall clock (timers are unaffected).</summary>
    public void SetUtcNow(DateTimeOffset now) => Interlocked.Exchange(ref _offsetTicks, (now - System.GetUtcNow()).Ticks);

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    /// <summary>Waits (real time) until the shifted wall clock reads <paramref name="when"/>.</summary>
    public Task WaitUntilAsync(DateTimeOffset when)
    {
        var wait = when - GetUtcNow();
        return wait > TimeSpan.Zero ? Task.Delay(wait) : Task.CompletedTask;
    }
}

/// <summary>An in-memory outbox that keeps every reading and event.</summary>
internal sealed class MemoryOutbox : IOutboxWriter
{
    public ConcurrentQueue<Reading> Readings { get; } = new();

    public ConcurrentQueue<MeterEvent> Events { get; } = new();

    public ValueTask AppendAsync(Reading reading, CancellationToken cancellationToken)
    {
        Readings.Enqueue(reading);
        return ValueTask.CompletedTask;
    }

    public ValueTask AppendAsync(MeterEvent meterEvent, CancellationToken cancellationToken)
    {
        Events.Enqueue(meterEvent);
        return ValueTask.CompletedTask;
    }

    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
