using Dcu.Core.Abstractions;
using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Microsoft.Extensions.Logging;

namespace Dcu.Core.Collection;

/// <summary>
/// The one owner of one bus: a single async loop hands out jobs to at most <see cref="MaxConcurrency"/>
/// job slots. With the default of 1 (a serial RS485 line) exactly one request is in flight on the bus
/// whatever the number of meters, and after every reader call the meter's <see cref="Meter.Turnaround"/>
/// passes before the bus is used again. With N &gt; 1 (a PLC module that relays to several meters in
/// parallel) up to N jobs run at once, never two of the same meter, and the turnaround applies per
/// meter. On-demand jobs are always taken before scheduled ones (the first whose meter is free).
/// Results go only to the outbox (and, for on-demand jobs, back to the requester too). Timeouts,
/// protocol errors and anything unexpected are counted and logged; the loop never dies of them.
/// </summary>
/// <remarks>
/// Late policy: a scheduled job whose (meter, task) already has a newer interval queued is dropped
/// as superseded (counted), so a slow or backed-up bus catches up instead of reading a backlog;
/// otherwise a job taken after its deadline is still done and its readings flagged Late.
/// Missed intervals: a scheduled job that ends without readings (failed, skipped offline,
/// superseded, dropped) is remembered per meter (bounded by <see cref="CollectionOptions.MissedIntervalsPerMeter"/>).
/// When the reader is an <see cref="IMissedIntervalReader"/> that can read the meter's past
/// intervals, the next successful job of that meter queues one catch-up job per miss, behind the
/// scheduled work; a failed catch-up is remembered again until <see cref="CollectionOptions.CatchUpAttempts"/>.
/// Catch-up failures do not count against the meter's health.
/// Every scheduled and catch-up job's outcome goes to the optional <see cref="ICollectionObserver"/>.
/// Archive changes at runtime (<see cref="AddMeter"/>, <see cref="UpdateMeter"/>, <see cref="RemoveMeter"/>):
/// a job always runs with the meter's current entry; a removed meter's queued jobs are dropped (its
/// job in flight finishes), an updated one keeps its health and remembered misses.
/// Operations (<see cref="RunOnMeterAsync"/>, <see cref="RunOnBusAsync"/>) are on-demand jobs too: they
/// take a slot like a read, respect the turnaround and the <see cref="CollectionOptions.RequestTimeout"/>
/// watchdog, and are never retried (a relay command is not repeated blindly); a whole-bus operation
/// (a broadcast) first waits until nothing is in flight on the bus and holds every slot while it runs.
/// </remarks>
public sealed partial class BusWorker
{
    private readonly object _gate = new();
    private readonly LinkedList<ReadJob> _onDemand = new();
    private readonly LinkedList<ReadJob> _scheduled = new();
    private readonly Dictionary<(MeterId Meter, string Task), long> _latestQueued = [];
    private readonly SemaphoreSlim _signal = new(0);
    private readonly SemaphoreSlim _slots;
    private readonly LinkedList<BusOperation> _busOperations = new();
    private readonly Dictionary<MeterId, Meter> _meters;
    private readonly List<Meter> _order;
    private readonly Dictionary<MeterId, MeterHealth> _health;
    private readonly Dictionary<MeterId, MeterState> _state;
    private volatile Meter[] _snapshot;
    private readonly IMissedIntervalReader? _pastReader;
    private readonly ICollectionObserver? _observer;
    private readonly BusCounters _counters = new();
    private readonly IMeterReader _reader;
    private readonly IOutboxWriter _outbox;
    private readonly IClockStatus _clock;
    private readonly CollectionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<BusWorker> _logger;
    private long _lastReplyTimestamp;
    private TimeSpan _lastTurnaround = TimeSpan.Zero;
    private int _running;

    /// <param name="maxConcurrency">Jobs in flight at once on this bus: 1 (default) for a serial line; a few for a PLC module that relays in parallel.</param>
    /// <param name="observer">Receives the outcome of every scheduled and catch-up job (collection quality); null for none.</param>
    /// <param name="control">Relay and clock of the bus's meters for operations; null takes the reader when it implements <see cref="IMeterControl"/>.</param>
    public BusWorker(string bus, IMeterReader reader, IEnumerable<Meter> meters, IOutboxWriter outbox, IClockStatus clock,
        CollectionOptions options, TimeProvider timeProvider, ILogger<BusWorker> logger, int maxConcurrency = 1, ICollectionObserver? observer = null,
        IMeterControl? control = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bus);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxConcurrency, 64);
        Bus = bus;
        MaxConcurrency = maxConcurrency;
        _slots = new SemaphoreSlim(maxConcurrency, maxConcurrency);
        _observer = observer;
        _pastReader = reader as IMissedIntervalReader;
        Control = control ?? reader as IMeterControl;
        _reader = reader ?? throw new ArgumentNullException(nameof(reader));
        _outbox = outbox ?? throw new ArgumentNullException(nameof(outbox));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _order = [.. meters];
        foreach (var m in _order)
            if (m.Bus != bus) throw new ArgumentException($"Meter {m.Id} is on bus '{m.Bus}', not '{bus}'", nameof(meters));
        _meters = _order.ToDictionary(m => m.Id);
        _health = _order.ToDictionary(m => m.Id, NewHealth);
        _state = _order.ToDictionary(m => m.Id, _ => NewState());
        _snapshot = [.. _order];
    }

    private MeterHealth NewHealth(Meter m) => new(m.Id, _options.OfflineThreshold, _options.OfflinePollDivisor);

    private MeterState NewState() => new(new MissedIntervals(_options.MissedIntervalsPerMeter));

    public string Bus { get; }

    /// <summary>Jobs this worker runs at once (1 = strictly serial bus).</summary>
    public int MaxConcurrency { get; }

    /// <summary>The meters of this bus now, in archive order (a snapshot: archive changes replace it).</summary>
    public IReadOnlyList<Meter> Meters => _snapshot;

    /// <summary>Relay and clock control of this bus's meters, or null when its protocol has none.</summary>
    public IMeterControl? Control { get; }

    public bool TryGetMeter(MeterId id, out Meter meter)
    {
        lock (_gate) return _meters.TryGetValue(id, out meter!);
    }

    /// <summary>Adds a meter to this bus; its jobs can be queued at once. Throws when it is on another bus or already here.</summary>
    public void AddMeter(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        if (meter.Bus != Bus) throw new ArgumentException($"Meter {meter.Id} is on bus '{meter.Bus}', not '{Bus}'", nameof(meter));
        lock (_gate)
        {
            if (!_meters.TryAdd(meter.Id, meter)) throw new ArgumentException($"Meter {meter.Id} is already on bus '{Bus}'", nameof(meter));
            _order.Add(meter);
            _health[meter.Id] = NewHealth(meter);
            _state[meter.Id] = NewState();
            _snapshot = [.. _order];
        }
        _logger.LogInformation("Bus {Bus}: meter {Meter} added (address {Address})", Bus, meter.Id, meter.Address);
    }

    /// <summary>
    /// Replaces a meter's entry (same id, same bus): its next job, queued or not, runs with the new entry;
    /// a job in flight ends with the old one. Health and remembered misses are kept.
    /// </summary>
    public void UpdateMeter(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        if (meter.Bus != Bus) throw new ArgumentException($"Meter {meter.Id} is on bus '{meter.Bus}', not '{Bus}'", nameof(meter));
        lock (_gate)
        {
            if (!_meters.ContainsKey(meter.Id)) throw new ArgumentException($"Meter {meter.Id} is not on bus '{Bus}'", nameof(meter));
            _meters[meter.Id] = meter;
            _order[_order.FindIndex(m => m.Id == meter.Id)] = meter;
            _snapshot = [.. _order];
        }
        _logger.LogInformation("Bus {Bus}: meter {Meter} updated (address {Address})", Bus, meter.Id, meter.Address);
    }

    /// <summary>
    /// Removes a meter: its queued jobs are dropped (on-demand requests fail with <see cref="ArgumentException"/>),
    /// a job in flight finishes; its health and remembered misses are forgotten. False when it was not here.
    /// </summary>
    public bool RemoveMeter(MeterId meter)
    {
        var dropped = new List<ReadJob>();
        lock (_gate)
        {
            if (!_meters.Remove(meter)) return false;
            _order.RemoveAll(m => m.Id == meter);
            _health.Remove(meter);
            _state.Remove(meter);
            _snapshot = [.. _order];
            foreach (var queue in (LinkedList<ReadJob>[])[_onDemand, _scheduled])
                for (var node = queue.First; node is not null;)
                {
                    var next = node.Next;
                    if (node.Value.Meter.Id == meter) { dropped.Add(node.Value); queue.Remove(node); }
                    node = next;
                }
            foreach (var key in _latestQueued.Keys.Where(k => k.Meter == meter).ToArray()) _latestQueued.Remove(key);
        }
        foreach (var job in dropped)
            job.Completion?.TrySetException(new ArgumentException($"Meter {meter} was removed from the archive", nameof(meter)));
        _logger.LogInformation("Bus {Bus}: meter {Meter} removed, {Dropped} queued jobs dropped", Bus, meter, dropped.Count);
        Pulse();
        return true;
    }

    /// <summary>Queues a scheduled job behind all on-demand jobs. Drops (and counts) the oldest scheduled job when the queue is full.</summary>
    public void EnqueueScheduled(ReadJob job)
    {
        if (!TryEnqueueScheduled(job)) throw new ArgumentException($"Meter {job.Meter.Id} is not on bus '{Bus}'", nameof(job));
    }

    /// <summary>As <see cref="EnqueueScheduled"/>, but false (nothing queued) when the meter is not, or no longer, on this bus.</summary>
    public bool TryEnqueueScheduled(ReadJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.OnDemand) throw new ArgumentException("Use RequestOnDemandAsync for on-demand jobs", nameof(job));
        return Enqueue(job);
    }

    private bool Enqueue(ReadJob job)
    {
        ReadJob? dropped = null;
        lock (_gate)
        {
            if (!_meters.ContainsKey(job.Meter.Id)) return false;
            if (_scheduled.Count >= _options.ScheduledQueueCapacity)
            {
                dropped = _scheduled.First!.Value;
                _scheduled.RemoveFirst();
            }
            _scheduled.AddLast(job);
            var key = (job.Meter.Id, job.TaskName);
            if (!job.CatchUp && (!_latestQueued.TryGetValue(key, out var latest) || job.IntervalUnixMs > latest)) _latestQueued[key] = job.IntervalUnixMs;
        }
        if (dropped is not null)
        {
            _counters.Add(ref _counters.JobsDropped);
            _logger.LogWarning("Bus {Bus}: scheduled queue full ({Capacity}), dropped job {Task} of meter {Meter} for interval {IntervalUnixMs}",
                Bus, _options.ScheduledQueueCapacity, dropped.TaskName, dropped.Meter.Id, dropped.IntervalUnixMs);
            Missed(dropped, CollectionOutcome.Dropped);
        }
        Pulse();
        return true;
    }

    /// <summary>The scheduled intervals this meter missed and that are remembered for a catch-up read (oldest first).</summary>
    public IReadOnlyList<MissedInterval> MissedIntervals(MeterId meter) =>
        FindState(meter) is { } s ? s.Missed.Snapshot() : [];

    private MeterState? FindState(MeterId meter)
    {
        lock (_gate) return _state.GetValueOrDefault(meter);
    }

    private MeterHealth? FindHealth(MeterId meter)
    {
        lock (_gate) return _health.GetValueOrDefault(meter);
    }

    /// <summary>
    /// Reads <paramref name="quantities"/> (null or empty = all the profile supports) from a meter of this
    /// bus ahead of every scheduled job. The readings also go to the outbox, stamped with the read time.
    /// Throws what the read threw (<see cref="TimeoutException"/>, <see cref="MeterProtocolException"/>, ...)
    /// or <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires first.
    /// </summary>
    public async Task<IReadOnlyList<Reading>> RequestOnDemandAsync(MeterId meter, IReadOnlyCollection<ObisCode>? quantities, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!TryGetMeter(meter, out var m)) throw new ArgumentException($"Meter {meter} is not on bus '{Bus}'", nameof(meter));
        return await QueueOnDemandAsync(ReadJob.CreateOnDemand(m, quantities ?? [], cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="operation"/> on a meter of this bus as an on-demand job (ahead of scheduled
    /// jobs, the meter busy meanwhile, after the turnaround, cancelled by the RequestTimeout watchdog,
    /// which surfaces as <see cref="TimeoutException"/>). It gets the meter's current entry and <see cref="Control"/>.
    /// Throws <see cref="ArgumentException"/> for a meter not on this bus, else what the operation threw.
    /// </summary>
    public async Task<T> RunOnMeterAsync<T>(MeterId meter, Func<Meter, IMeterControl?, CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        cancellationToken.ThrowIfCancellationRequested();
        if (!TryGetMeter(meter, out var m)) throw new ArgumentException($"Meter {meter} is not on bus '{Bus}'", nameof(meter));
        var result = default(T)!;
        var control = Control;
        await QueueOnDemandAsync(ReadJob.CreateOperation(m, async (current, ct) => result = await operation(current, control, ct), cancellationToken), cancellationToken);
        return result;
    }

    /// <summary>
    /// Runs <paramref name="operation"/> holding the whole bus (a broadcast): ahead of every queued job it
    /// waits until no job is in flight on the bus, holds every slot while it runs, then releases them.
    /// The RequestTimeout watchdog applies (as <see cref="TimeoutException"/>).
    /// </summary>
    public async Task<T> RunOnBusAsync<T>(Func<IMeterControl?, CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        cancellationToken.ThrowIfCancellationRequested();
        var result = default(T)!;
        var control = Control;
        var op = new BusOperation(async ct => result = await operation(control, ct), cancellationToken);
        using var registration = cancellationToken.Register(() => op.Completion.TrySetCanceled(cancellationToken));
        lock (_gate) _busOperations.AddLast(op);
        Pulse();
        await op.Completion.Task;
        return result;
    }

    private async Task<IReadOnlyList<Reading>> QueueOnDemandAsync(ReadJob job, CancellationToken cancellationToken)
    {
        var completion = job.Completion!;
        using var registration = cancellationToken.Register(() => completion.TrySetCanceled(cancellationToken));
        lock (_gate)
        {
            if (!_meters.ContainsKey(job.Meter.Id)) throw new ArgumentException($"Meter {job.Meter.Id} is not on bus '{Bus}'");
            _onDemand.AddLast(job);
        }
        Pulse();
        return await completion.Task;
    }

    public BusCountersSnapshot Counters()
    {
        int scheduled, onDemand;
        lock (_gate) { scheduled = _scheduled.Count; onDemand = _onDemand.Count + _busOperations.Count; }
        return _counters.Snapshot(Bus, scheduled, onDemand);
    }

    public IReadOnlyList<MeterHealthSnapshot> Health()
    {
        MeterHealth[] health;
        lock (_gate) health = _order.Select(m => _health[m.Id]).ToArray();
        return health.Select(h => h.Snapshot(Bus)).ToArray();
    }

    public MeterHealthSnapshot? Health(MeterId meter) => FindHealth(meter)?.Snapshot(Bus);

    /// <summary>The bus loop. Returns when <paramref name="cancellationToken"/> fires, after the jobs in flight ended; pending on-demand requests are then cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1) throw new InvalidOperationException($"Bus worker '{Bus}' is already running");
        _logger.LogInformation("Bus {Bus}: worker started with {MeterCount} meters, {MaxConcurrency} job(s) at once", Bus, Meters.Count, MaxConcurrency);
        var held = 0;
        try
        {
            while (true)
            {
                // A slot first, then a job: with one slot the next job is chosen only once the previous one ended.
                await _slots.WaitAsync(cancellationToken);
                held = 1;
                (ReadJob Job, MeterState State)? next = null;
                BusOperation? op;
                while ((op = TakeBusOperation()) is null && (next = TakeNext()) is null) await _signal.WaitAsync(cancellationToken);
                if (op is not null)
                {
                    // The whole bus: no new job starts while the jobs in flight end and hand back their slots.
                    for (; held < MaxConcurrency; held++) await _slots.WaitAsync(cancellationToken);
                    held = 0;
                    _ = RunBusOperationAsync(op, cancellationToken); // releases every slot when it ends; never throws
                    continue;
                }
                held = 0;
                _ = RunJobAsync(next!.Value.Job, next.Value.State, cancellationToken); // releases the slot and the meter when it ends; never throws
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopping
        }
        finally
        {
            if (held > 0) _slots.Release(held);
            for (var i = 0; i < MaxConcurrency; i++) await _slots.WaitAsync(CancellationToken.None); // the jobs in flight have ended
            _slots.Release(MaxConcurrency);
            List<ReadJob> pending;
            List<BusOperation> pendingOps;
            lock (_gate) { pending = [.. _onDemand]; _onDemand.Clear(); pendingOps = [.. _busOperations]; _busOperations.Clear(); }
            foreach (var p in pending) p.Completion?.TrySetCanceled(cancellationToken);
            foreach (var p in pendingOps) p.Completion.TrySetCanceled(cancellationToken);
            Volatile.Write(ref _running, 0);
            _logger.LogInformation("Bus {Bus}: worker stopped", Bus);
        }
    }

    /// <summary>Wakes the loop: a job was queued or a meter became free. One pending wake-up is enough.</summary>
    private void Pulse()
    {
        if (_signal.CurrentCount == 0) _signal.Release();
    }

    /// <summary>The first whole-bus operation still wanted by its requester, if any.</summary>
    private BusOperation? TakeBusOperation()
    {
        lock (_gate)
        {
            while (_busOperations.First is { } node)
            {
                _busOperations.RemoveFirst();
                if (!node.Value.Completion.Task.IsCompleted) return node.Value;
                _counters.Add(ref _counters.JobsCancelled);
            }
            return null;
        }
    }

    /// <summary>
    /// The first on-demand job, else the first scheduled job, whose meter has no job in flight; marks that
    /// meter busy. The job is handed out with the meter's current entry (an update since it was queued applies).
    /// </summary>
    private (ReadJob Job, MeterState State)? TakeNext()
    {
        lock (_gate)
        {
            return Take(_onDemand) ?? Take(_scheduled);
        }

        (ReadJob, MeterState)? Take(LinkedList<ReadJob> queue)
        {
            for (var node = queue.First; node is not null; node = node.Next)
            {
                var id = node.Value.Meter.Id;
                var state = _state[id]; // a removed meter's jobs left the queues with it
                if (state.Busy) continue;
                state.Busy = true;
                queue.Remove(node);
                var current = _meters[id];
                return (ReferenceEquals(current, node.Value.Meter) ? node.Value : node.Value.WithMeter(current), state);
            }
            return null;
        }
    }

    /// <summary>A whole-bus operation waiting for the bus.</summary>
    private sealed class BusOperation(Func<CancellationToken, Task> run, CancellationToken cancellationToken)
    {
        public Func<CancellationToken, Task> Run { get; } = run;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Per-meter state of the worker. <see cref="Busy"/> is guarded by the worker's gate; the rest is touched only by the meter's one job in flight.</summary>
    private sealed class MeterState(MissedIntervals missed)
    {
        public bool Busy;
        public long LastReplyTimestamp;
        public MissedIntervals Missed { get; } = missed;
    }
}
