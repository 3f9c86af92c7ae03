using Dcu.Core.Abstractions;
using Dcu.Core.Collection;
using Dcu.Core.Events;
using Dcu.Core.Model;
using Dcu.Drivers.Plc;
using Dcu.Drivers.Simulation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Drivers.Tests.Plc;

/// <summary>
/// A PLC bus wired the way the host wires it: <see cref="BusWorker"/>(bus, <see cref="PlcMeterReader"/>,
/// archive, outbox, clock, options, time, logger, maxConcurrency, observer: <see cref="CollectionQuality"/>)
/// and a <see cref="CollectionScheduler"/> with one task, over a <see cref="PlcSite"/>.
/// </summary>
/// <remarks>
/// <para>Time is scaled, consistently, by <see cref="Scale"/> = 10 s / 900 s: the 15-minute interval is
/// 10 s, the 1-3 s relay latency 11-33 ms, the module's 15 s relay timeout 167 ms, its 0.5 s retry
/// backoff 5.6 ms, the worker's request watchdog (120 s real) 1.33 s. (At 5 s / 900 s a CI box whose two
/// cores also ran the Host tests stalled relays past the 83 ms timeout often enough to fail 5 of 200
/// meters in one interval: the scale buys slack against the test machine's load, not against the line.) Every ratio that decides
/// whether a round fits its interval (latency x requests / concurrency vs interval; loss x timeout
/// vs interval) is the real one. Timers are real; the wall clock is shifted (<see cref="ShiftedTimeProvider"/>)
/// so the first scheduled boundary is a few hundred ms after start-up and the last interval ends at
/// UTC midnight: the day's quality report is then due within the test.</para>
/// <para>Request watchdog: one PLC reader call may legitimately take 2 quantities x 2 relay attempts
/// x 15 s + backoff = 61 s, within the default <see cref="CollectionOptions.RequestTimeout"/> of 3 min;
/// 120 s real (scaled) is used here.</para>
/// </remarks>
internal sealed class PlcCollectionRig : IAsyncDisposable
{
    public const double Scale = 10.0 / 900;
    public const string Bus = "plc-1";
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    public static readonly DateTimeOffset Midnight = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    private PlcCollectionRig(ShiftedTimeProvider time, PlcSite site, int intervals, int concurrency, ObisCode[] quantities,
        ILogger<BusWorker>? workerLogger)
    {
        Time = time;
        Site = site;
        First = Midnight - (intervals * Interval);
        Meters = [.. site.Meters.Keys.Order(StringComparer.Ordinal).Select((_, i) => PlcSite.ArchiveEntry(i))];
        EnergyTask = new CollectionTask("plc-energy", [], quantities, Interval);
        Options = new CollectionOptions
        {
            Retries = 1,
            RequestTimeout = TimeSpan.FromSeconds(120) * Scale,
            MaxSchedulerWait = TimeSpan.FromMilliseconds(500),
        };
        Reader = new PlcMeterReader(site.Module, new Dlt645PlcProtocol());
        Quality = new CollectionQuality([EnergyTask], Meters.Select(m => m.Id), Outbox,
            new CollectionQualityOptions { ReportDelay = TimeSpan.FromMilliseconds(300) }, time);
        Worker = new BusWorker(Bus, Reader, Meters, Outbox, new ValidClock(), Options, time, workerLogger ?? NullLogger<BusWorker>.Instance,
            maxConcurrency: concurrency, observer: Quality);
        Scheduler = new CollectionScheduler(Options, [EnergyTask], [Worker], time, NullLogger<CollectionScheduler>.Instance);
    }

    public ShiftedTimeProvider Time { get; }

    public PlcSite Site { get; }

    /// <summary>Start of the first scheduled interval; the last one ends at <see cref="Midnight"/>.</summary>
    public DateTimeOffset First { get; }

    public IReadOnlyList<Meter> Meters { get; }

    public CollectionTask EnergyTask { get; }

    public CollectionOptions Options { get; }

    public PlcMeterReader Reader { get; }

    public MemoryOutbox Outbox { get; } = new();

    public CollectionQuality Quality { get; }

    public BusWorker Worker { get; }

    public CollectionScheduler Scheduler { get; }

    /// <summary>
    /// A site of <paramref name="meters"/> meters, started and synced, the clock set just before the
    /// first (2.5 s ahead) of <paramref name="intervals"/> intervals that end at <see cref="Midnight"/>; collection not yet running.
    /// </summary>
    public static async Task<PlcCollectionRig> CreateAsync(int meters, int intervals, int concurrency, SimulatedPlcModuleOptions simOptions,
        ObisCode[] quantities, ILogger<BusWorker>? workerLogger = null, ILogger<PlcModule>? moduleLogger = null)
    {
        var first = Midnight - (intervals * Interval);
        var time = new ShiftedTimeProvider(first - TimeSpan.FromSeconds(30)); // meters integrate energy from here; Start() moves the clock on
        var site = await PlcSite.StartAsync(meters, simOptions, PlcSite.ModuleOptions(Scale, concurrency), time, moduleLogger);
        if (time.GetUtcNow() > first - TimeSpan.FromSeconds(3))
            throw new InvalidOperationException($"start-up took too long: {time.GetUtcNow() - (first - TimeSpan.FromSeconds(30))}");
        time.SetUtcNow(first - TimeSpan.FromSeconds(2.5)); // 2.5 s to the first boundary: room for a loaded machine to start the loops
        return new PlcCollectionRig(time, site, intervals, concurrency, quantities, workerLogger);
    }

    /// <summary>Starts the bus worker and the scheduler.</summary>
    public void Start()
    {
        _running = Task.WhenAll(
            Task.Run(() => Worker.RunAsync(_stop.Token)),
            Task.Run(() => Scheduler.RunAsync(_stop.Token)));
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _running;
    }

    /// <summary>True when the first interval was read at all (the scheduler had started before the first boundary).</summary>
    public bool FirstIntervalRead => Outbox.Readings.Any(r => r.IntervalUnixMs == IntervalUnixMs(0));

    /// <summary>Interval k (0-based) start.</summary>
    public long IntervalUnixMs(int k) => (First + (k * Interval)).ToUnixTimeMilliseconds();

    /// <summary>Meters with a reading of <paramref name="quantity"/> for interval k read before its deadline, counted from the outbox.</summary>
    public int OnTimeInOutbox(int k, ObisCode quantity)
    {
        var interval = IntervalUnixMs(k);
        var deadline = interval + (long)Interval.TotalMilliseconds;
        return Outbox.Readings.Where(r => r.IntervalUnixMs == interval && r.Obis == quantity && r.ReadUnixMs < deadline).Select(r => r.Meter).Distinct().Count();
    }

    /// <summary>How long after the start of interval k its last reading was read.</summary>
    public TimeSpan RoundTime(int k)
    {
        var interval = IntervalUnixMs(k);
        var reads = Outbox.Readings.Where(r => r.IntervalUnixMs == interval).Select(r => r.ReadUnixMs).ToArray();
        return reads.Length == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(reads.Max() - interval);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        _stop.Dispose();
        await Site.DisposeAsync();
    }

    private sealed class ValidClock : IClockStatus
    {
        public bool IsValid => true;
    }
}
