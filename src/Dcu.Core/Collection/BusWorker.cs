using Dcu.Core.Abstractions;
using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Microsoft.Extensions.Logging;

namespace Dcu.Core.Collection;

/// <summary>
/// The one owner of one bus: a single async loop takes jobs one at a time, so exactly one request
/// is in flight on the bus whatever the number of meters. On-demand jobs are always taken before
/// scheduled ones. After every reader call the meter's <see cref="Meter.Turnaround"/> passes before
/// the bus is used again. Results go only to the outbox (and, for on-demand jobs, back to the
/// requester too). Timeouts, protocol errors and anything unexpected are counted and logged; the
/// loop never dies of them.
/// </summary>
/// <remarks>
/// Late policy: a scheduled job whose (meter, task) already has a newer interval queued is dropped
/// as superseded (counted), so a slow or backed-up bus catches up instead of reading a backlog;
/// otherwise a job taken after its deadline is still done and its readings flagged Late.
/// </remarks>
public sealed class BusWorker
{
    private readonly object _gate = new();
    private readonly Queue<ReadJob> _onDemand = new();
    private readonly Queue<ReadJob> _scheduled = new();
    private readonly Dictionary<(MeterId Meter, string Task), long> _latestQueued = [];
    private readonly SemaphoreSlim _signal = new(0);
    private readonly Dictionary<MeterId, Meter> _meters;
    private readonly Dictionary<MeterId, MeterHealth> _health;
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

    public BusWorker(string bus, IMeterReader reader, IEnumerable<Meter> meters, IOutboxWriter outbox, IClockStatus clock,
        CollectionOptions options, TimeProvider timeProvider, ILogger<BusWorker> logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bus);
        Bus = bus;
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
    }

    public string Bus { get; }

    public IReadOnlyList<Meter> Meters { get; }

    public bool TryGetMeter(MeterId id, out Meter meter) => _meters.TryGetValue(id, out meter!);

    /// <summary>Queues a scheduled job behind all on-demand jobs. Drops (and counts) the oldest scheduled job when the queue is full.</summary>
    public void EnqueueScheduled(ReadJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.OnDemand) throw new ArgumentException("Use RequestOnDemandAsync for on-demand jobs", nameof(job));
        if (!_meters.ContainsKey(job.Meter.Id)) throw new ArgumentException($"Meter {job.Meter.Id} is not on bus '{Bus}'", nameof(job));
        ReadJob? dropped = null;
        lock (_gate)
        {
            if (_scheduled.Count >= _options.ScheduledQueueCapacity) dropped = _scheduled.Dequeue();
            _scheduled.Enqueue(job);
            var key = (job.Meter.Id, job.TaskName);
            if (!_latestQueued.TryGetValue(key, out var latest) || job.IntervalUnixMs > latest) _latestQueued[key] = job.IntervalUnixMs;
        }
        if (dropped is not null)
        {
            _counters.Add(ref _counters.JobsDropped);
            _logger.LogWarning("Bus {Bus}: scheduled queue full ({Capacity}), dropped job {Task} of meter {Meter} for interval {IntervalUnixMs}",
                Bus, _options.ScheduledQueueCapacity, dropped.TaskName, dropped.Meter.Id, dropped.IntervalUnixMs);
        }
        _signal.Release();
    }

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
        lock (_gate) _onDemand.Enqueue(job);
        _signal.Release();
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

    /// <summary>The bus loop. Returns when <paramref name="cancellationToken"/> fires; pending on-demand requests are then cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1) throw new InvalidOperationException($"Bus worker '{Bus}' is already running");
        _logger.LogInformation("Bus {Bus}: worker started with {MeterCount} meters", Bus, Meters.Count);
        try
        {
            while (true)
            {
                await _signal.WaitAsync(cancellationToken);
                ReadJob? job;
                lock (_gate)
                {
                    if (!_onDemand.TryDequeue(out job)) _scheduled.TryDequeue(out job);
                }
                if (job is null) continue; // a dropped job's signal
                try
                {
                    await ProcessAsync(job, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    job.Completion?.TrySetCanceled(cancellationToken);
                    throw;
                }
                catch (Exception ex)
                {
                    _counters.Unexpected(ex);
                    _logger.LogError(ex, "Bus {Bus}: unexpected error in job {Task} of meter {Meter}", Bus, job.TaskName, job.Meter.Id);
                    job.Completion?.TrySetException(ex);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopping
        }
        finally
        {
            List<ReadJob> pending;
            lock (_gate) { pending = [.. _onDemand]; _onDemand.Clear(); }
            foreach (var p in pending) p.Completion?.TrySetCanceled(cancellationToken);
            Volatile.Write(ref _running, 0);
            _logger.LogInformation("Bus {Bus}: worker stopped", Bus);
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
        else
        {
            long latest;
            lock (_gate) latest = _latestQueued[(meter.Id, job.TaskName)];
            if (job.IntervalUnixMs < latest)
            {
                _counters.Add(ref _counters.JobsSuperseded);
                _logger.LogWarning("Bus {Bus}: job {Task} of meter {Meter} for interval {IntervalUnixMs} superseded by interval {LatestUnixMs}, skipped",
                    Bus, job.TaskName, meter.Id, job.IntervalUnixMs, latest);
                return;
            }
            if (!health.ShouldPollScheduled())
            {
                _counters.Add(ref _counters.JobsSkippedOffline);
                return;
            }
        }

        var quantities = job.Quantities.Count > 0 ? job.Quantities : _reader.SupportedQuantities(meter);
        var attempts = health.IsOnline ? 1 + _options.Retries : 1;
        Exception? failure = null;
        var reason = "unknown";
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            await WaitForTurnaroundAsync(stop);
            _counters.Add(ref _counters.Requests);
            using var watchdog = new CancellationTokenSource(_options.RequestTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, watchdog.Token, job.CancellationToken);
            IReadOnlyList<MeterValue> values;
            try
            {
                values = await _reader.ReadAsync(meter, quantities, linked.Token);
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
        if (health.RecordFailure(now, reason))
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
        if (readMs >= job.DeadlineUnixMs)
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
        foreach (var r in readings) await AppendAsync(r, stop);
        job.Completion?.TrySetResult(readings);
    }

    private async Task AppendAsync(Reading reading, CancellationToken stop)
    {
        try { await _outbox.AppendAsync(reading, stop); }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { throw; }
        catch (Exception ex) { OutboxFailed(ex, reading.Meter); }
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
        _lastReplyTimestamp = _time.GetTimestamp();
        _lastTurnaround = meter.Turnaround;
    }

    private async Task WaitForTurnaroundAsync(CancellationToken stop)
    {
        if (_lastTurnaround <= TimeSpan.Zero) return;
        var wait = _lastTurnaround - _time.GetElapsedTime(_lastReplyTimestamp);
        if (wait > TimeSpan.Zero) await Task.Delay(wait, _time, stop);
    }
}
