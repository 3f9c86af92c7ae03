using System.Diagnostics;
using System.Globalization;
using Dcu.Core.Abstractions;
using Dcu.Core.Collection;
using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Dcu.Drivers.Dlt645;
using Dcu.Drivers.Plc;
using Dcu.Drivers.Simulation;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Benchmarks;

/// <summary>
/// Time to collect one round from N PLC meters through the real stack (BusWorker with
/// maxConcurrency C → PlcMeterReader + Dlt645PlcProtocol → PlcModule (Q/GDW 1376.2 bytes) →
/// SimulatedPlcModule (uniform relay latency, C relays at once) → SimulatedDlt645Meter), against
/// the ideal N x K x mean latency / C. Real time, small latencies; the ideal comparison is lossless,
/// a lossy round (5 %) is reported separately. Target: within 1.1x.
/// </summary>
internal static class PlcRoundBenchmark
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var sizes = args.String("meters", "200,1000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var concurrency = args.Int("concurrency", 4);
        var minMs = args.Int("latency-min-ms", 20);
        var maxMs = args.Int("latency-max-ms", 60);
        var k = Math.Clamp(args.Int("quantities", 1), 1, 2);
        var lossPercent = args.Int("loss-percent", 5);
        ObisCode[] quantities = k == 1 ? [ObisCode.ActiveEnergyImport] : [ObisCode.ActiveEnergyImport, ObisCode.VoltageL1];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"plc-round: relay latency uniform {minMs}-{maxMs} ms, {concurrency} relays at once, {k} quantities/meter, cores={Environment.ProcessorCount}"));

        await RoundAsync(20, concurrency, minMs, maxMs, 0, quantities, print: false); // warm-up (JIT)
        var worst = 0.0;
        foreach (var n in sizes)
            worst = Math.Max(worst, await RoundAsync(n, concurrency, minMs, maxMs, 0, quantities, print: true));
        if (lossPercent > 0) await RoundAsync(sizes[0], concurrency, minMs, maxMs, lossPercent / 100.0, quantities, print: true);
        return worst <= 1.1 ? 0 : 1;
    }

    private static async Task<double> RoundAsync(int n, int concurrency, int minMs, int maxMs, double loss, ObisCode[] quantities, bool print)
    {
        var time = TimeProvider.System;
        var sim = new SimulatedPlcModule(time, new SimulatedPlcModuleOptions
        {
            ForwardLatencyMin = TimeSpan.FromMilliseconds(minMs),
            ForwardLatencyMax = TimeSpan.FromMilliseconds(maxMs),
            DropRate = loss,
            MaxConcurrentForwards = concurrency,
            Seed = n,
        });
        await using var module = new PlcModule(sim, new PlcModuleOptions
        {
            MainNodeAddress = PlcAddress.Parse("000000000001"),
            AfterInitDelay = TimeSpan.Zero,
            ReadRunMode = false,
            MaxConcurrent = concurrency,
            ForwardTimeout = TimeSpan.FromMilliseconds(maxMs * 5), // 15 s against 1-3 s on a real line
            RetryBackoff = TimeSpan.FromMilliseconds(minMs / 2.0),
            ForwardRetries = 1,
        });
        var meters = new List<Meter>(n);
        for (var i = 0; i < n; i++)
        {
            var address = $"{300000000000 + i}";
            var meter = new SimulatedDlt645Meter(Dlt645Address.Parse(address), time, seed: i);
            sim.AddMeter(address, frame => { lock (meter) return meter.Respond(frame.Span); });
            meters.Add(new Meter(new MeterId($"plc-{i:D4}"), "plc-1", MeterProtocol.Plc, address, "dlt645"));
        }
        await module.StartAsync(CancellationToken.None);
        await module.SyncArchiveAsync(meters.Select(m => m.Address).ToArray(), CancellationToken.None);

        var observer = new RoundObserver(n);
        var worker = new BusWorker("plc-1", new PlcMeterReader(module, new Dlt645PlcProtocol()), meters, new NullOutbox(), new ValidClock(),
            new CollectionOptions { Retries = 1, RequestTimeout = TimeSpan.FromMilliseconds(maxMs * 5 * 2 * quantities.Length + 1000) },
            time, NullLogger<BusWorker>.Instance, maxConcurrency: concurrency, observer: observer);
        using var stop = new CancellationTokenSource();
        var running = Task.Run(() => worker.RunAsync(stop.Token));

        var interval = time.GetUtcNow().ToUnixTimeMilliseconds();
        var sw = Stopwatch.StartNew();
        // A 15-minute round: its deadline is the next boundary (a deadline a day or more away would make it a billing task).
        var deadline = interval + (long)TimeSpan.FromMinutes(15).TotalMilliseconds;
        foreach (var m in meters) worker.EnqueueScheduled(ReadJob.Scheduled(m, quantities, "round", interval, deadline));
        await observer.Done.Task;
        var elapsed = sw.Elapsed;
        await stop.CancelAsync();
        await running;

        var requests = n * quantities.Length;
        var ideal = TimeSpan.FromMilliseconds(requests * ((minMs + maxMs) / 2.0) / concurrency);
        var ratio = elapsed / ideal;
        if (observer.Collected != n)
            Console.WriteLine($"  WARNING: only {observer.Collected}/{n} meters collected: this round's time is not a collection round's");
        if (print)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {n,5} meters, loss {loss:P0}: {observer.Collected}/{n} collected in {elapsed.TotalMilliseconds:N0} ms; ideal {requests} x {(minMs + maxMs) / 2.0:0} ms / {concurrency} = {ideal.TotalMilliseconds:N0} ms; ratio {ratio:F3}" +
                $" (relays answered {sim.ForwardsAnswered}, lost {sim.ForwardsDropped}, max in flight {sim.MaxForwardsInFlight}, module retries {module.Counters.Retries})"));
        return ratio;
    }

    private sealed class RoundObserver(int expected) : ICollectionObserver
    {
        private int _done;
        private int _collected;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Collected => Volatile.Read(ref _collected);

        public void OnScheduledJob(CollectionJobResult result)
        {
            if (result.Collected) Interlocked.Increment(ref _collected);
            if (Interlocked.Increment(ref _done) == expected) Done.TrySetResult();
        }
    }

    private sealed class NullOutbox : IOutboxWriter
    {
        public ValueTask AppendAsync(Reading reading, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask AppendAsync(MeterEvent meterEvent, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class ValidClock : IClockStatus
    {
        public bool IsValid => true;
    }
}
