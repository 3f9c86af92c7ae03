using System.Collections.Concurrent;
using Dcu.Core.Abstractions;
using Dcu.Core.Collection;
using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Core.Tests.Collection;

internal delegate Task<IReadOnlyList<MeterValue>> ReadScript(int call, IReadOnlyCollection<ObisCode> quantities, CancellationToken cancellationToken);

internal sealed record ReadCall(MeterId Meter, DateTimeOffset At, ObisCode[] Quantities);

/// <summary>A meter reader with scripted answers per meter; records every call and the highest concurrency seen.</summary>
internal sealed class FakeMeterReader(TimeProvider time) : IMeterReader
{
    public static readonly ObisCode[] Supported = [ObisCode.ActiveEnergyImport, ObisCode.VoltageL1];

    private readonly ConcurrentDictionary<MeterId, ReadScript> _scripts = new();
    private readonly ConcurrentDictionary<MeterId, int> _callsPerMeter = new();
    private int _inFlight;
    private int _maxInFlight;

    public ConcurrentQueue<ReadCall> Calls { get; } = new();

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public int InFlight => Volatile.Read(ref _inFlight);

    public int CallsTo(string meter) => Calls.Count(c => c.Meter.Value == meter);

    public void Script(string meter, ReadScript script) => _scripts[new MeterId(meter)] = script;

    public IReadOnlyCollection<ObisCode> SupportedQuantities(Meter meter) => Supported;

    public async Task<IReadOnlyList<MeterValue>> ReadAsync(Meter meter, IReadOnlyCollection<ObisCode> quantities, CancellationToken cancellationToken)
    {
        var now = Interlocked.Increment(ref _inFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen) { }
        try
        {
            var call = _callsPerMeter.AddOrUpdate(meter.Id, 1, (_, n) => n + 1);
            Calls.Enqueue(new ReadCall(meter.Id, time.GetUtcNow(), [.. quantities]));
            return _scripts.TryGetValue(meter.Id, out var script)
                ? await script(call, quantities, cancellationToken)
                : Values(quantities, call);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public static IReadOnlyList<MeterValue> Values(IReadOnlyCollection<ObisCode> quantities, int call) =>
        quantities.Select(q => new MeterValue(q, 100 + call, q == ObisCode.VoltageL1 ? "V" : "kWh")).ToArray();

    public static ReadScript Ok => (call, q, _) => Task.FromResult(Values(q, call));

    public static ReadScript TimesOut => (_, _, _) => Task.FromException<IReadOnlyList<MeterValue>>(new TimeoutException("no answer"));

    public static ReadScript Protocol(string reason) =>
        (_, _, _) => Task.FromException<IReadOnlyList<MeterValue>>(new MeterProtocolException(reason, "bad reply: " + reason));
}

internal sealed class FakeOutbox : IOutboxWriter
{
    public ConcurrentQueue<Reading> Readings { get; } = new();

    public ConcurrentQueue<MeterEvent> Events { get; } = new();

    /// <summary>When set, appending a reading throws what it returns (null = accept).</summary>
    public Func<Reading, Exception?>? FailReading { get; set; }

    public ValueTask AppendAsync(Reading reading, CancellationToken cancellationToken)
    {
        if (FailReading?.Invoke(reading) is { } ex) return ValueTask.FromException(ex);
        Readings.Enqueue(reading);
        return ValueTask.CompletedTask;
    }

    public ValueTask AppendAsync(MeterEvent meterEvent, CancellationToken cancellationToken)
    {
        Events.Enqueue(meterEvent);
        return ValueTask.CompletedTask;
    }

    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public IReadOnlyList<Reading> For(string meter) => Readings.Where(r => r.Meter.Value == meter).ToArray();
}

internal sealed class FakeClockStatus : IClockStatus
{
    public bool IsValid { get; set; } = true;
}

/// <summary>One bus worker over fakes, started on construction, stopped on dispose.</summary>
internal sealed class WorkerRig : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 10, 7, 0, TimeSpan.Zero);
    public const string Bus = "rs485-1";

    private readonly CancellationTokenSource _stop = new();

    public WorkerRig(CollectionOptions? options = null, params Meter[] meters)
    {
        Time = new FakeTimeProvider(Start);
        Reader = new FakeMeterReader(Time);
        Options = options ?? new CollectionOptions();
        Worker = new BusWorker(Bus, Reader, meters, Outbox, Clock, Options, Time, NullLogger<BusWorker>.Instance);
        Run = Worker.RunAsync(_stop.Token);
    }

    public FakeTimeProvider Time { get; }

    public FakeMeterReader Reader { get; }

    public FakeOutbox Outbox { get; } = new();

    public FakeClockStatus Clock { get; } = new();

    public CollectionOptions Options { get; }

    public BusWorker Worker { get; }

    public Task Run { get; }

    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    public static Meter M(string id, TimeSpan? turnaround = null, string bus = Bus) =>
        new(new MeterId(id), bus, MeterProtocol.ModbusRtu, "1", "test") { Turnaround = turnaround ?? TimeSpan.Zero };

    public Meter Meter(string id) => Worker.TryGetMeter(new MeterId(id), out var m) ? m : throw new ArgumentException(id);

    /// <summary>Queues a scheduled job for the interval starting at <paramref name="intervalUnixMs"/> (default: now, deadline 15 min later).</summary>
    public void Enqueue(string meter, long? intervalUnixMs = null, long? deadlineUnixMs = null, string task = "t")
    {
        var interval = intervalUnixMs ?? NowMs;
        Worker.EnqueueScheduled(ReadJob.Scheduled(Meter(meter), [], task, interval, deadlineUnixMs ?? interval + 15 * 60_000));
    }

    /// <summary>Jobs the worker has finished with in any way.</summary>
    public long JobsDone()
    {
        var c = Worker.Counters();
        return c.JobsCompleted + c.JobsFailed + c.JobsSkippedOffline + c.JobsSuperseded + c.JobsCancelled;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Run.WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}
