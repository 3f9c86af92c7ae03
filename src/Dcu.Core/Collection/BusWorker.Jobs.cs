using Dcu.Core.Abstractions;
using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Microsoft.Extensions.Logging;

namespace Dcu.Core.Collection;

// One job from its slot to the outbox: run it, turn values into readings, count, remember misses, queue catch-ups.
public sealed partial class BusWorker
{
    private async Task RunBusOperationAsync(BusOperation op, CancellationToken stop)
    {
        try
        {
            await WaitForBusQuietAsync(stop);
            if (op.Completion.Task.IsCompleted)
            {
                // Given up by its requester while the jobs in flight ended: not run at all.
                _counters.Add(ref _counters.JobsCancelled);
                return;
            }
            _counters.Add(ref _counters.Requests);
            using var watchdog = new CancellationTokenSource(_options.RequestTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, watchdog.Token, op.CancellationToken);
            try
            {
                await op.Run(linked.Token);
                _counters.Add(ref _counters.Ok);
                op.Completion.TrySetResult();
            }
            catch (OperationCanceledException ex) when (watchdog.IsCancellationRequested && !stop.IsCancellationRequested && !op.CancellationToken.IsCancellationRequested)
            {
                _counters.Add(ref _counters.Timeouts);
                _logger.LogWarning("Bus {Bus}: bus operation hung, cancelled after {RequestTimeout}", Bus, _options.RequestTimeout);
                op.Completion.TrySetException(new TimeoutException($"Bus operation on '{Bus}' did not return within {_options.RequestTimeout}", ex));
            }
            finally
            {
                MarkBusUsed();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested || op.CancellationToken.IsCancellationRequested)
        {
            op.Completion.TrySetCanceled(stop.IsCancellationRequested ? stop : op.CancellationToken);
        }
        catch (Exception ex)
        {
            if (ex is TimeoutException) _counters.Add(ref _counters.Timeouts);
            _logger.LogWarning("Bus {Bus}: bus operation failed: {Error}", Bus, ex.Message);
            op.Completion.TrySetException(ex);
        }
        finally
        {
            _slots.Release(MaxConcurrency);
            Pulse();
        }
    }

    private async Task RunJobAsync(ReadJob job, MeterState state, CancellationToken stop)
    {
        try
        {
            await ProcessAsync(job, state, stop);
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
            lock (_gate) state.Busy = false;
            _slots.Release();
            Pulse();
        }
    }

    private long NowUnixMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task ProcessAsync(ReadJob job, MeterState state, CancellationToken stop)
    {
        var meter = job.Meter;
        var health = FindHealth(meter.Id);
        if (health is null)
        {
            // Removed from the archive between being taken and starting.
            job.Completion?.TrySetException(new ArgumentException($"Meter {meter.Id} was removed from the archive"));
            return;
        }
        if (job.OnDemand)
        {
            if (job.Completion!.Task.IsCompleted || job.CancellationToken.IsCancellationRequested)
            {
                _counters.Add(ref _counters.JobsCancelled);
                job.Completion.TrySetCanceled(job.CancellationToken);
                return;
            }
            if (job.Operation is not null)
            {
                await OperateAsync(job, state, stop);
                return;
            }
        }
        else if (!job.CatchUp)
        {
            long latest;
            lock (_gate) latest = _latestQueued.GetValueOrDefault((meter.Id, job.TaskName), job.IntervalUnixMs);
            if (job.IntervalUnixMs < latest)
            {
                _counters.Add(ref _counters.JobsSuperseded);
                _logger.LogWarning("Bus {Bus}: job {Task} of meter {Meter} for interval {IntervalUnixMs} superseded by interval {LatestUnixMs}, skipped",
                    Bus, job.TaskName, meter.Id, job.IntervalUnixMs, latest);
                Missed(job, CollectionOutcome.Superseded, state);
                return;
            }
            if (!health.ShouldPollScheduled())
            {
                _counters.Add(ref _counters.JobsSkippedOffline);
                Missed(job, CollectionOutcome.SkippedOffline, state);
                return;
            }
        }

        var quantities = job.Quantities.Count > 0 ? job.Quantities : _reader.SupportedQuantities(meter);
        var attempts = health.IsOnline && !job.CatchUp ? 1 + _options.Retries : 1;
        Exception? failure = null;
        var reason = "unknown";
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            await WaitForTurnaroundAsync(meter, state, stop);
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
                MarkReply(meter, state);
                _counters.Add(ref _counters.Timeouts);
                (failure, reason) = (ex, "timeout");
                _logger.LogWarning("Bus {Bus}: meter {Meter} timed out (attempt {Attempt}/{Attempts}): {Message}", Bus, meter.Id, attempt, attempts, ex.Message);
                continue;
            }
            catch (MeterProtocolException ex)
            {
                MarkReply(meter, state);
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
                MarkReply(meter, state);
                _counters.Add(ref _counters.JobsCancelled);
                job.Completion?.TrySetCanceled(job.CancellationToken);
                return;
            }
            catch (OperationCanceledException ex) when (watchdog.IsCancellationRequested)
            {
                MarkReply(meter, state);
                _counters.Add(ref _counters.Timeouts);
                (failure, reason) = (new TimeoutException($"Reader for meter {meter.Id} did not return within {_options.RequestTimeout}", ex), "watchdog");
                _logger.LogWarning("Bus {Bus}: meter {Meter} reader hung, cancelled after {RequestTimeout} (attempt {Attempt}/{Attempts})", Bus, meter.Id, _options.RequestTimeout, attempt, attempts);
                continue;
            }
            catch (Exception ex)
            {
                // Not a meter fault we know how to retry: count, log, fail the job, keep the loop.
                MarkReply(meter, state);
                _counters.Unexpected(ex);
                (failure, reason) = (ex, "unexpected:" + ex.GetType().Name);
                _logger.LogError(ex, "Bus {Bus}: unexpected error reading meter {Meter} (attempt {Attempt}/{Attempts})", Bus, meter.Id, attempt, attempts);
                break;
            }
            MarkReply(meter, state);
            _counters.Add(ref _counters.Ok);
            await CompleteAsync(job, health, state, values, stop);
            return;
        }

        _counters.Add(ref _counters.JobsFailed);
        var now = NowUnixMs;
        Missed(job, CollectionOutcome.Failed, state);
        if (!job.CatchUp && health.RecordFailure(now, reason))
        {
            var failures = health.Snapshot(Bus).ConsecutiveFailures;
            _logger.LogWarning("Bus {Bus}: meter {Meter} offline after {Failures} failed jobs in a row ({Reason}); polling every {Divisor}th due job",
                Bus, meter.Id, failures, reason, _options.OfflinePollDivisor);
            await AppendAsync(new MeterEvent(meter.Id, EventKinds.MeterOffline, now, $"no valid reply to {failures} jobs in a row on bus {Bus} (last: {reason})"), stop);
        }
        job.Completion?.TrySetException(failure ?? new InvalidOperationException("read failed"));
    }

    /// <summary>
    /// One operation on one meter: one attempt (never retried), after the turnaround, under the watchdog.
    /// Its outcome goes only to the requester; it counts as a request but not against the meter's health.
    /// </summary>
    private async Task OperateAsync(ReadJob job, MeterState state, CancellationToken stop)
    {
        var meter = job.Meter;
        await WaitForTurnaroundAsync(meter, state, stop);
        _counters.Add(ref _counters.Requests);
        using var watchdog = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, watchdog.Token, job.CancellationToken);
        try
        {
            await job.Operation!(meter, linked.Token);
            _counters.Add(ref _counters.Ok);
            job.Completion!.TrySetResult([]);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (job.CancellationToken.IsCancellationRequested)
        {
            _counters.Add(ref _counters.JobsCancelled);
            job.Completion!.TrySetCanceled(job.CancellationToken);
        }
        catch (OperationCanceledException ex) when (watchdog.IsCancellationRequested)
        {
            _counters.Add(ref _counters.Timeouts);
            _logger.LogWarning("Bus {Bus}: operation on meter {Meter} hung, cancelled after {RequestTimeout}", Bus, meter.Id, _options.RequestTimeout);
            job.Completion!.TrySetException(new TimeoutException($"Operation on meter {meter.Id} did not return within {_options.RequestTimeout}", ex));
        }
        catch (Exception ex)
        {
            if (ex is TimeoutException) _counters.Add(ref _counters.Timeouts);
            else if (ex is MeterProtocolException p) _counters.ProtocolError(p.Reason);
            _logger.LogWarning("Bus {Bus}: operation on meter {Meter} failed: {Error}", Bus, meter.Id, ex.Message);
            job.Completion!.TrySetException(ex);
        }
        finally
        {
            MarkReply(meter, state);
        }
    }

    private async Task CompleteAsync(ReadJob job, MeterHealth health, MeterState state, IReadOnlyList<MeterValue> values, CancellationToken stop)
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
            if (await AppendAsync(r, LaneOf(job), stop)) appended++;
        job.Completion?.TrySetResult(readings);
        if (!job.OnDemand)
        {
            if (appended > 0) Observe(job, CollectionOutcome.Collected, readMs);
            else Missed(job, CollectionOutcome.Failed, state);
        }
        if (!job.CatchUp) QueueCatchUps(meter, state);
    }

    /// <summary>Reports a scheduled job that ended without readings and remembers its interval for a catch-up read.</summary>
    private void Missed(ReadJob job, CollectionOutcome outcome, MeterState? state = null)
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
        (state ?? FindState(job.Meter.Id))?.Missed.Add(missed); // none once the meter was removed
    }

    /// <summary>After a success: one catch-up job per remembered miss of the meter, when the reader can read its past intervals.</summary>
    private void QueueCatchUps(Meter meter, MeterState state)
    {
        if (_pastReader is null) return;
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

    /// <summary>
    /// Billing values (tasks of a day or longer, and their catch-ups) take the Billing lane, published ahead
    /// of interval profiles and evicted after them; everything else is an interval profile.
    /// </summary>
    private static OutboxLane LaneOf(ReadJob job) =>
        !job.OnDemand && job.DeadlineUnixMs - job.IntervalUnixMs >= BillingIntervalMs ? OutboxLane.Billing : OutboxLane.Readings;

    private const long BillingIntervalMs = 24 * 60 * 60 * 1000L;

    private async Task<bool> AppendAsync(Reading reading, OutboxLane lane, CancellationToken stop)
    {
        try { await _outbox.AppendAsync(reading, lane, stop); return true; }
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
}
