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
/// </remarks>
public sealed class BusWorker
{
    private readonly object _gate = new();
    private readonly LinkedList<ReadJob> _onDemand = new();
    private readonly LinkedList<ReadJob> _scheduled = new();
    private readonly Dictionary<(MeterId Meter, string Task), long> _latestQueued = [];
    private readonly SemaphoreSlim _signal = new(0);
    private readonly SemaphoreSlim _slots;
    private readonly Dictionary<MeterId, Meter> _meters;
    private readonly Dictionary<MeterId, MeterHealth> _health;
    private readonly Dictionary<MeterId, MeterState> _state;
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
    public BusWorker(string bus, IMeterReader reader, IEnumerable<Meter> meters, IOutboxWriter outbox, IClockStatus clock,
        CollectionOptions options, TimeProvider timeProvider, ILogger<BusWorker> logger, int maxConcurrency = 1, ICollectionObserver? observer = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bus);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxConcurrency, 64);
        Bus = bus;
        MaxConcurrency = maxConcurrency;
        _slots = new SemaphoreSlim(maxConcurrency, maxConcurrency);
        _observer = observer;
        _pastReader = reader as IMissedIntervalReader;
        _reader = reader ?? throw new ArgumentNullException(nameof(reader));
        _outbox = outbox ?? throw new ArgumentNullException(nameof(outbox));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        Meters = meters.ToArray();
        foreach (var m in Meters)
            if (m.Bus != bus) throw new ArgumentException($"Meter {m.Id} is on bus '{m.Bus}', not '{bus}'", nameof(meters));
        _meters = Meters.ToDictionary(m => m.Id);
        _health = Meters.ToDictionary(m => m.Id, m => new MeterHealth(m.Id, options.OfflineThreshold, options.OfflinePollDivisor));
        _state = Meters.ToDictionary(m => m.Id, _ => new MeterState(new MissedIntervals(options.MissedIntervalsPerMeter)));
    }

    public string Bus { get; }

    /// <summary>Jobs this worker runs at once (1 = strictly serial bus).</summary>
    public int MaxConcurrency { get; }

    public IReadOnlyList<Meter> Meters { get; }

    public bool TryGetMeter(MeterId id, out Meter meter) => _meters.TryGetValue(id, out meter!);

    /// <summary>Queues a scheduled job behind all on-demand jobs. Drops (and counts) the oldest scheduled job when the queue is full.</summary>
    public void EnqueueScheduled(ReadJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.OnDemand) throw new ArgumentException("Use RequestOnDemandAsync for on-demand jobs", nameof(job));
        if (!_meters.ContainsKey(job.Meter.Id)) throw new ArgumentException($"Meter {job.Meter.Id} is not on bus '{Bus}'", nameof(job));
        Enqueue(job);
    }

    private void Enqueue(ReadJob job)
    {
        ReadJob? dropped = null;
        lock (_gate)
        {
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
    }

    /// <summary>The scheduled intervals this meter missed and that are remembered for a catch-up read (oldest first).</summary>
    public IReadOnlyList<MissedInterval> MissedIntervals(MeterId meter) =>
        _state.TryGetValue(meter, out var s) ? s.Missed.Snapshot() : [];

    /// <summary>
    /// Reads <paramref name="quantities"/> (null or empty = all the profile supports) from a meter of this
    /// bus ahead of every scheduled job. The readings also go to the outbox, stamped with the read time.
    /// Throws what the read threw (<see cref="TimeoutException"/>, <see cref="MeterProtocolException"/>, ...)
    /// or <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires first.
    /// </summary>
    public async Task<IReadOnlyList<Reading>> RequestOnDemandAsync(MeterId meter, IReadOnlyCollection<ObisCode>? quantities, CancellationToken cancellationToken)
    {
        if (!_meters.TryGetValue(meter, out var m)) throw new ArgumentException($"Meter {meter} is not on bus '{Bus}'", nameof(meter));
        cancellationToken.ThrowIfCancellationRequested();
        var job = ReadJob.CreateOnDemand(m, quantities ?? [], cancellationToken);
        var completion = job.Completion!;
        using var registration = cancellationToken.Register(() => completion.TrySetCanceled(cancellationToken));
        lock (_gate) _onDemand.AddLast(job);
        Pulse();
        return await completion.Task;
    }

    public BusCountersSnapshot Counters()
    {
        int scheduled, onDemand;
        lock (_gate) { scheduled = _scheduled.Count; onDemand = _onDemand.Count; }
        return _counters.Snapshot(Bus, scheduled, onDemand);
    }

    public IReadOnlyList<MeterHealthSnapshot> Health() => Meters.Select(m => _health[m.Id].Snapshot(Bus)).ToArray();

    public MeterHealthSnapshot? Health(MeterId meter) => _health.TryGetValue(meter, out var h) ? h.Snapshot(Bus) : null;

    /// <summary>The bus loop. Returns when <paramref name="cancellationToken"/> fires, after the jobs in flight ended; pending on-demand requests are then cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1) throw new InvalidOperationException($"Bus worker '{Bus}' is already running");
        _logger.LogInformation("Bus {Bus}: worker started with {MeterCount} meters, {MaxConcurrency} job(s) at once", Bus, Meters.Count, MaxConcurrency);
        var holdingSlot = false;
        try
        {
            while (true)
            {
                // A slot first, then a job: with one slot the next job is chosen only once the previous one ended.
                await _slots.WaitAsync(cancellationToken);
                holdingSlot = true;
                ReadJob? job;
                while ((job = TakeNext()) is null) await _signal.WaitAsync(cancellationToken);
                holdingSlot = false;
                _ = RunJobAsync(job, cancellationToken); // releases the slot and the meter when it ends; never throws
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopping
        }
        finally
        {
            if (holdingSlot) _slots.Release();
            for (var i = 0; i < MaxConcurrency; i++) await _slots.WaitAsync(CancellationToken.None); // the jobs in flight have ended
            _slots.Release(MaxConcurrency);
            List<ReadJob> pending;
            lock (_gate) { pending = [.. _onDemand]; _onDemand.Clear(); }
            foreach (var p in pending) p.Completion?.TrySetCanceled(cancellationToken);
            Volatile.Write(ref _running, 0);
            _logger.LogInformation("Bus {Bus}: worker stopped", Bus);
        }
    }

    /// <summary>Wakes the loop: a job was queued or a meter became free. One pending wake-up is enough.</summary>
    private void Pulse()
    {
        if (_signal.CurrentCount == 0) _signal.Release();
    }

    /// <summary>The first on-demand job, else the first scheduled job, whose meter has no job in flight; marks that meter busy.</summary>
    private ReadJob? TakeNext()
    {
        lock (_gate)
        {
            return Take(_onDemand) ?? Take(_scheduled);
        }

        ReadJob? Take(LinkedList<ReadJob> queue)
        {
            for (var node = queue.First; node is not null; node = node.Next)
            {
                var state = _state[node.Value.Meter.Id];
                if (state.Busy) continue;
                state.Busy = true;
                queue.Remove(node);
                return node.Value;
            }
            return null;
        }
    }

    private async Task RunJobAsync(ReadJob job, CancellationToken stop)
    {
        try
        {
            await ProcessAsync(job, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            job.Completion?.TrySetCanceled(stop);
        }
        catch (Exception ex)
        {
            _counters.Unexpected(ex);
            _logger.LogError(ex, "Bus {Bus}: unexpected error in job {Task} of meter {Meter}", Bus, job.TaskName, job.Meter.Id);
            job.Completion?.TrySetException(ex);
        }
        finally
        {
            lock (_gate) _state[job.Meter.Id].Busy = false;
            _slots.Release();
            Pulse();
        }
    }

    private long NowUnixMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task ProcessAsync(ReadJob job, CancellationToken stop)
    {
        var meter = job.Meter;
        var health = _health[meter.Id];
        if (job.OnDemand)
        {
            if (job.Completion!.Task.IsCompleted || job.CancellationToken.IsCancellationRequested)
            {
                _counters.Add(ref _counters.JobsCancelled);
                job.Completion.TrySetCanceled(job.CancellationToken);
                return;
            }
        }
        else if (!job.CatchUp)
        {
            long latest;
            lock (_gate) latest = _latestQueued[(meter.Id, job.TaskName)];
            if (job.IntervalUnixMs < latest)
            {
                _counters.Add(ref _counters.JobsSuperseded);
                _logger.LogWarning("Bus {Bus}: job {Task} of meter {Meter} for interval {IntervalUnixMs} superseded by interval {LatestUnixMs}, skipped",
                    Bus, job.TaskName, meter.Id, job.IntervalUnixMs, latest);
                Missed(job, CollectionOutcome.Superseded);
                return;
            }
            if (!health.ShouldPollScheduled())
            {
                _counters.Add(ref _counters.JobsSkippedOffline);
                Missed(job, CollectionOutcome.SkippedOffline);
                return;
            }
        }

        var quantities = job.Quantities.Count > 0 ? job.Quantities : _reader.SupportedQuantities(meter);
        var attempts = health.IsOnline && !job.CatchUp ? 1 + _options.Retries : 1;
        Exception? failure = null;
        var reason = "unknown";
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            await WaitForTurnaroundAsync(meter, stop);
            _counters.Add(ref _counters.Requests);
            using var watchdog = new CancellationTokenSource(_options.RequestTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, watchdog.Token, job.CancellationToken);
            IReadOnlyList<MeterValue> values;
            try
            {
                values = job.CatchUp
                    ? await _pastReader!.ReadIntervalAsync(meter, quantities, job.IntervalUnixMs, linked.Token)
                    : await _reader.ReadAsync(meter, quantities, linked.Token);
            }
            catch (TimeoutException ex)
            {
                MarkReply(meter);
                _counters.Add(ref _counters.Timeouts);
                (failure, reason) = (ex, "timeout");
                _logger.LogWarning("Bus {Bus}: meter {Meter} timed out (attempt {Attempt}/{Attempts}): {Message}", Bus, meter.Id, attempt, attempts, ex.Message);
                continue;
            }
            catch (MeterProtocolException ex)
            {
                MarkReply(meter);
                _counters.ProtocolError(ex.Reason);
                (failure, reason) = (ex, "protocol:" + ex.Reason);
                _logger.LogWarning("Bus {Bus}: meter {Meter} protocol error {Reason} (attempt {Attempt}/{Attempts}): {Message}", Bus, meter.Id, ex.Reason, attempt, attempts, ex.Message);
                continue;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException) when (job.CancellationToken.IsCancellationRequested)
            {
                MarkReply(meter);
                _counters.Add(ref _counters.JobsCancelled);
                job.Completion?.TrySetCanceled(job.CancellationToken);
                return;
            }
            catch (OperationCanceledException ex) when (watchdog.IsCancellationRequested)
            {
                MarkReply(meter);
                _counters.Add(ref _counters.Timeouts);
                (failure, reason) = (new TimeoutException($"Reader for meter {meter.Id} did not return within {_options.RequestTimeout}", ex), "watchdog");
                _logger.LogWarning("Bus {Bus}: meter {Meter} reader hung, cancelled after {RequestTimeout} (attempt {Attempt}/{Attempts})", Bus, meter.Id, _options.RequestTimeout, attempt, attempts);
                continue;
            }
            catch (Exception ex)
            {
                // Not a meter fault we know how to retry: count, log, fail the job, keep the loop.
                MarkReply(meter);
                _counters.Unexpected(ex);
                (failure, reason) = (ex, "unexpected:" + ex.GetType().Name);
                _logger.LogError(ex, "Bus {Bus}: unexpected error reading meter {Meter} (attempt {Attempt}/{Attempts})", Bus, meter.Id, attempt, attempts);
                break;
            }
            MarkReply(meter);
            _counters.Add(ref _counters.Ok);
            await CompleteAsync(job, health, values, stop);
            return;
        }

        _counters.Add(ref _counters.JobsFailed);
        var now = NowUnixMs;
        Missed(job, CollectionOutcome.Failed);
        if (!job.CatchUp && health.RecordFailure(now, reason))
        {
            var failures = health.Snapshot(Bus).ConsecutiveFailures;
            _logger.LogWarning("Bus {Bus}: meter {Meter} offline after {Failures} failed jobs in a row ({Reason}); polling every {Divisor}th due job",
                Bus, meter.Id, failures, reason, _options.OfflinePollDivisor);
            await AppendAsync(new MeterEvent(meter.Id, EventKinds.MeterOffline, now, $"no valid reply to {failures} jobs in a row on bus {Bus} (last: {reason})"), stop);
        }
        job.Completion?.TrySetException(failure ?? new InvalidOperationException("read failed"));
    }

    private async Task CompleteAsync(ReadJob job, MeterHealth health, IReadOnlyList<MeterValue> values, CancellationToken stop)
    {
        var meter = job.Meter;
        var readMs = NowUnixMs;
        var quality = _clock.IsValid ? ReadingQuality.Good : ReadingQuality.ClockInvalid;
        if (job.CatchUp) quality |= ReadingQuality.Late;
        else if (readMs >= job.DeadlineUnixMs)
        {
            quality |= ReadingQuality.Late;
            _counters.Add(ref _counters.JobsLate);
        }
        var intervalMs = job.OnDemand ? readMs : job.IntervalUnixMs;
        var readings = new Reading[values.Count];
        for (var i = 0; i < values.Count; i++)
            readings[i] = new Reading(meter.Id, values[i].Obis, values[i].Value, values[i].Unit, intervalMs, readMs, quality);

        _counters.Add(ref _counters.JobsCompleted);
        if (health.RecordSuccess(readMs))
        {
            _logger.LogInformation("Bus {Bus}: meter {Meter} answers again, back online", Bus, meter.Id);
            await AppendAsync(new MeterEvent(meter.Id, EventKinds.MeterOnline, readMs, $"answered again on bus {Bus}"), stop);
        }
        var appended = 0;
        foreach (var r in readings)
            if (await AppendAsync(r, stop)) appended++;
        job.Completion?.TrySetResult(readings);
        if (!job.OnDemand)
        {
            if (appended > 0) Observe(job, CollectionOutcome.Collected, readMs);
            else Missed(job, CollectionOutcome.Failed);
        }
        if (!job.CatchUp) QueueCatchUps(meter);
    }

    /// <summary>Reports a scheduled job that ended without readings and remembers its interval for a catch-up read.</summary>
    private void Missed(ReadJob job, CollectionOutcome outcome)
    {
        if (job.OnDemand) return;
        Observe(job, outcome, NowUnixMs);
        var missed = job.CatchUpOf is { } c
            ? c with { Attempts = c.Attempts + 1 }
            : new MissedInterval(job.Meter.Id, job.TaskName, job.IntervalUnixMs, job.DeadlineUnixMs, job.Quantities);
        if (missed.Attempts >= _options.CatchUpAttempts)
        {
            _logger.LogWarning("Bus {Bus}: interval {IntervalUnixMs} of task {Task} of meter {Meter} given up after {Attempts} catch-up reads",
                Bus, missed.IntervalUnixMs, missed.Task, missed.Meter, missed.Attempts);
            return;
        }
        _state[job.Meter.Id].Missed.Add(missed);
    }

    /// <summary>After a success: one catch-up job per remembered miss of the meter, when the reader can read its past intervals.</summary>
    private void QueueCatchUps(Meter meter)
    {
        if (_pastReader is null) return;
        var state = _state[meter.Id];
        if (state.Missed.Count == 0) return;
        bool can;
        try { can = _pastReader.CanReadPastIntervals(meter); }
        catch (Exception ex) { _counters.Unexpected(ex); _logger.LogError(ex, "Bus {Bus}: CanReadPastIntervals failed for meter {Meter}", Bus, meter.Id); return; }
        if (!can) return;
        var missed = state.Missed.TakeAll();
        _logger.LogInformation("Bus {Bus}: meter {Meter} answers, queuing {Count} catch-up reads of missed intervals", Bus, meter.Id, missed.Count);
        foreach (var m in missed)
        {
            _counters.Add(ref _counters.CatchUpsQueued);
            Enqueue(ReadJob.CreateCatchUp(meter, m));
        }
    }

    private void Observe(ReadJob job, CollectionOutcome outcome, long nowUnixMs)
    {
        if (_observer is null) return;
        try
        {
            _observer.OnScheduledJob(new CollectionJobResult(job.Meter.Id, job.TaskName, job.IntervalUnixMs, job.DeadlineUnixMs, nowUnixMs, outcome, job.CatchUp));
        }
        catch (Exception ex)
        {
            _counters.Unexpected(ex);
            _logger.LogError(ex, "Bus {Bus}: collection observer failed", Bus);
        }
    }

    private async Task<bool> AppendAsync(Reading reading, CancellationToken stop)
    {
        try { await _outbox.AppendAsync(reading, stop); return true; }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { throw; }
        catch (Exception ex) { OutboxFailed(ex, reading.Meter); return false; }
    }

    private async Task AppendAsync(MeterEvent meterEvent, CancellationToken stop)
    {
        try { await _outbox.AppendAsync(meterEvent, stop); }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { throw; }
        catch (Exception ex) { OutboxFailed(ex, meterEvent.Meter ?? default); }
    }

    private void OutboxFailed(Exception ex, MeterId meter)
    {
        _counters.Add(ref _counters.OutboxErrors);
        _counters.Unexpected(ex);
        _logger.LogError(ex, "Bus {Bus}: outbox append failed for meter {Meter}", Bus, meter);
    }

    private void MarkReply(Meter meter)
    {
        var now = _time.GetTimestamp();
        if (MaxConcurrency == 1)
        {
            // Serial bus: the quiet time after any meter's reply holds the whole bus.
            _lastReplyTimestamp = now;
            _lastTurnaround = meter.Turnaround;
        }
        else
        {
            // Parallel bus: the quiet time holds only that meter (its state is touched by its one job in flight).
            _state[meter.Id].LastReplyTimestamp = now;
        }
    }

    private async Task WaitForTurnaroundAsync(Meter meter, CancellationToken stop)
    {
        var (turnaround, since) = MaxConcurrency == 1
            ? (_lastTurnaround, _lastReplyTimestamp)
            : (meter.Turnaround, _state[meter.Id].LastReplyTimestamp);
        if (turnaround <= TimeSpan.Zero || since == 0) return;
        var wait = turnaround - _time.GetElapsedTime(since);
        if (wait > TimeSpan.Zero) await Task.Delay(wait, _time, stop);
    }

    /// <summary>Per-meter state of the worker. <see cref="Busy"/> is guarded by the worker's gate; the rest is touched only by the meter's one job in flight.</summary>
    private sealed class MeterState(MissedIntervals missed)
    {
        public bool Busy;
        public long LastReplyTimestamp;
        public MissedIntervals Missed { get; } = missed;
    }
}
