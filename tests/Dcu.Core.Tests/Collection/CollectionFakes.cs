using System.Collections.Concurrent;
using Dcu.Core.Abstractions;
using Dcu.Core.Collection;
using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Dcu.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Dcu.Core.Tests.Collection;

internal delegate Task<IReadOnlyList<MeterValue>> ReadScript(int call, IReadOnlyCollection<ObisCode> quantities, CancellationToken cancellationToken);

internal sealed record ReadCall(MeterId Meter, DateTimeOffset At, ObisCode[] Quantities);

/// <summary>
/// A meter reader with scripted answers per meter; records every call and the highest concurrency seen
/// (overall and per meter). Reads past intervals for the meters in <see cref="PastReadable"/>.
/// </summary>
internal sealed class FakeMeterReader(TimeProvider time) : IMeterReader, IMissedIntervalReader
{
    public static readonly ObisCode[] Supported = [ObisCode.ActiveEnergyImport, ObisCode.VoltageL1];

    private readonly ConcurrentDictionary<MeterId, ReadScript> _scripts = new();
    private readonly ConcurrentDictionary<MeterId, int> _callsPerMeter = new();
    private readonly ConcurrentDictionary<MeterId, int> _inFlightPerMeter = new();
    private int _inFlight;
    private int _maxInFlight;
    private int _maxPerMeter;

    /// <summary>Meters whose past intervals can be read (catch-up).</summary>
    public ConcurrentDictionary<MeterId, bool> PastReadable { get; } = new();

    /// <summary>Catch-up reads: (meter, interval).</summary>
    public ConcurrentQueue<(MeterId Meter, long IntervalUnixMs)> PastCalls { get; } = new();

    /// <summary>When set, a past read throws what it returns (null = answer).</summary>
    public Func<MeterId, long, Exception?>? FailPast { get; set; }

    public int MaxInFlightPerMeter => Volatile.Read(ref _maxPerMeter);

    public ConcurrentQueue<ReadCall> Calls { get; } = new();

    /// <summary>The archive entry each read was given.</summary>
    public ConcurrentQueue<Meter> Entries { get; } = new();

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public int InFlight => Volatile.Read(ref _inFlight);

    public int CallsTo(string meter) => Calls.Count(c => c.Meter.Value == meter);

    public void Script(string meter, ReadScript script) => _scripts[new MeterId(meter)] = script;

    public IReadOnlyCollection<ObisCode> SupportedQuantities(Meter meter) => Supported;

    public async Task<IReadOnlyList<MeterValue>> ReadAsync(Meter meter, IReadOnlyCollection<ObisCode> quantities, CancellationToken cancellationToken)
    {
        var now = Interlocked.Increment(ref _inFlight);
        Max(ref _maxInFlight, now);
        Max(ref _maxPerMeter, _inFlightPerMeter.AddOrUpdate(meter.Id, 1, (_, n) => n + 1));
        try
        {
            var call = _callsPerMeter.AddOrUpdate(meter.Id, 1, (_, n) => n + 1);
            Calls.Enqueue(new ReadCall(meter.Id, time.GetUtcNow(), [.. quantities]));
            Entries.Enqueue(meter);
            return _scripts.TryGetValue(meter.Id, out var script)
                ? await script(call, quantities, cancellationToken)
                : Values(quantities, call);
        }
        finally
        {
            _inFlightPerMeter.AddOrUpdate(meter.Id, 0, (_, n) => n - 1);
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static void Max(ref int max, int now)
    {
        int seen;
        while (now > (seen = Volatile.Read(ref max)) && Interlocked.CompareExchange(ref max, now, seen) != seen) { }
    }

    public bool CanReadPastIntervals(Meter meter) => PastReadable.ContainsKey(meter.Id);

    public Task<IReadOnlyList<MeterValue>> ReadIntervalAsync(Meter meter, IReadOnlyCollection<ObisCode> quantities, long intervalUnixMs, CancellationToken cancellationToken)
    {
        PastCalls.Enqueue((meter.Id, intervalUnixMs));
        if (FailPast?.Invoke(meter.Id, intervalUnixMs) is { } ex) return Task.FromException<IReadOnlyList<MeterValue>>(ex);
        return Task.FromResult(Values(quantities.Count > 0 ? quantities : Supported, 0));
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

    /// <summary>The billing values among <see cref="Readings"/> (appended to the Billing lane).</summary>
    public ConcurrentQueue<Reading> Billing { get; } = new();

    public ConcurrentQueue<OutboxMessage> Messages { get; } = new();

    public ValueTask AppendAsync(Reading reading, CancellationToken cancellationToken) => AppendAsync(reading, OutboxLane.Readings, cancellationToken);

    public ValueTask AppendAsync(Reading reading, OutboxLane lane, CancellationToken cancellationToken)
    {
        if (FailReading?.Invoke(reading) is { } ex) return ValueTask.FromException(ex);
        Readings.Enqueue(reading);
        if (lane == OutboxLane.Billing) Billing.Enqueue(reading);
        return ValueTask.CompletedTask;
    }

    public ValueTask AppendMessageAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        Messages.Enqueue(message);
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
        : this(1, null, options, meters)
    {
    }

    public WorkerRig(int maxConcurrency, ICollectionObserver? observer, CollectionOptions? options, params Meter[] meters)
    {
        Time = new FakeTimeProvider(Start);
        Reader = new FakeMeterReader(Time);
        Options = options ?? new CollectionOptions();
        Worker = new BusWorker(Bus, Reader, meters, Outbox, Clock, Options, Time, NullLogger<BusWorker>.Instance, maxConcurrency, observer);
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

/// <summary>Records every job outcome a bus worker reports.</summary>
internal sealed class RecordingObserver : ICollectionObserver
{
    public ConcurrentQueue<CollectionJobResult> Results { get; } = new();

    public void OnScheduledJob(CollectionJobResult result) => Results.Enqueue(result);
}

/// <summary>A scheduler over one bus worker per bus of the meters, all over fakes, started on construction, stopped on dispose.</summary>
internal sealed class SchedulerRig : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _runs = [];

    public SchedulerRig(CollectionOptions options, params Meter[] meters)
        : this(new FakeTimeProvider(WorkerRig.Start), options, [], meters)
    {
    }

    public SchedulerRig(CollectionOptions options, string[] buses, params Meter[] meters)
        : this(new FakeTimeProvider(WorkerRig.Start), options, buses, meters)
    {
    }

    /// <param name="time">The clock, set to <see cref="WorkerRig.Start"/> or wherever the test wants it.</param>
    /// <param name="buses">Buses to have a worker for even without meters (they are added later).</param>
    public SchedulerRig(FakeTimeProvider time, CollectionOptions options, string[] buses, params Meter[] meters)
    {
        Time = time;
        Reader = new FakeMeterReader(Time);
        Workers = meters.Select(m => m.Bus).Concat(buses).Distinct()
            .Select(b => new BusWorker(b, Reader, meters.Where(m => m.Bus == b), Outbox, Clock, options, Time, NullLogger<BusWorker>.Instance))
            .ToArray();
        Scheduler = new CollectionScheduler(options, Workers, Time, NullLogger<CollectionScheduler>.Instance);
        foreach (var w in Workers) _runs.Add(w.RunAsync(_stop.Token));
        _runs.Add(Scheduler.RunAsync(_stop.Token));
    }

    public FakeTimeProvider Time { get; }

    public FakeMeterReader Reader { get; }

    public FakeOutbox Outbox { get; } = new();

    public FakeClockStatus Clock { get; } = new();

    public IReadOnlyList<BusWorker> Workers { get; }

    public CollectionScheduler Scheduler { get; }

    /// <summary>
    /// Waits until every task waits (a task that starts after the clock moved would take the next boundary after the new
    /// time as its first) and one of them for <paramref name="dueUnixMs"/>, then moves the clock there.
    /// </summary>
    public async Task AdvanceToDueAsync(long dueUnixMs)
    {
        await Eventually.TrueAsync(
            () => Scheduler.Schedule() is var s && s.All(t => t.NextDueUnixMs is not null) && s.Any(t => t.NextDueUnixMs == dueUnixMs),
            $"scheduler waiting for {DateTimeOffset.FromUnixTimeMilliseconds(dueUnixMs):O}");
        Time.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(dueUnixMs));
    }

    public long[] Intervals(string meter) => Outbox.For(meter).Select(r => r.IntervalUnixMs).Distinct().Order().ToArray();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_runs).WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}
