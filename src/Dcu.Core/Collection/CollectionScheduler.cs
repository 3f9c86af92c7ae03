using Dcu.Core.Model;
using Microsoft.Extensions.Logging;

namespace Dcu.Core.Collection;

/// <summary>
/// Turns collection tasks into jobs: at each aligned due time (see <see cref="IntervalClock"/>) of a
/// task it queues one scheduled job per meter of the task into the worker of that meter's bus, in
/// archive order (the bus is serial, so that order is the meters' phase on the bus). Buses are
/// handed their jobs <see cref="CollectionOptions.BusStagger"/> apart. Every wait goes through the
/// <see cref="TimeProvider"/> and lasts at most <see cref="CollectionOptions.MaxSchedulerWait"/>, after
/// which the wall clock is read again: a clock stepped forward (cold boot at 1970, then NTP) makes the
/// latest missed boundary due at once, without a burst for the ones in between; a clock stepped back
/// re-aligns to the next boundary after the new time.
/// </summary>
public sealed class CollectionScheduler
{
    private readonly object _gate = new();
    private readonly IReadOnlyList<CollectionTask> _tasks;
    private readonly IReadOnlyList<BusWorker> _workers;
    private readonly Dictionary<MeterId, BusWorker> _byMeter = [];
    private readonly CollectionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<CollectionScheduler> _logger;
    private readonly Dictionary<string, TaskScheduleSnapshot> _schedule = new(StringComparer.Ordinal);

    /// <summary>Builds the tasks from <paramref name="options"/> (which must validate) over the given bus workers.</summary>
    public CollectionScheduler(CollectionOptions options, IEnumerable<BusWorker> workers, TimeProvider timeProvider, ILogger<CollectionScheduler> logger)
        : this(options, (options ?? throw new ArgumentNullException(nameof(options))).BuildTasks(), workers, timeProvider, logger)
    {
    }

    public CollectionScheduler(CollectionOptions options, IReadOnlyList<CollectionTask> tasks, IEnumerable<BusWorker> workers, TimeProvider timeProvider, ILogger<CollectionScheduler> logger)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _tasks = tasks ?? throw new ArgumentNullException(nameof(tasks));
        _workers = workers.ToArray();
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        if (_workers.Select(w => w.Bus).Distinct(StringComparer.Ordinal).Count() != _workers.Count)
            throw new ArgumentException("Two bus workers share a bus name", nameof(workers));
        foreach (var w in _workers)
            foreach (var m in w.Meters)
                if (!_byMeter.TryAdd(m.Id, w)) throw new ArgumentException($"Meter {m.Id} is on two buses", nameof(workers));
        if (_tasks.Select(t => t.Name).Distinct(StringComparer.Ordinal).Count() != _tasks.Count)
            throw new ArgumentException("Two tasks share a name", nameof(tasks));
        foreach (var t in _tasks)
            _schedule[t.Name] = new TaskScheduleSnapshot(t.Name, t.Interval, t.Offset, null, null, 0);
    }

    public IReadOnlyList<BusWorker> Workers => _workers;

    public IReadOnlyList<CollectionTask> Tasks => _tasks;

    /// <summary>Where each task stands: next due time, last interval queued, jobs queued so far.</summary>
    public IReadOnlyList<TaskScheduleSnapshot> Schedule()
    {
        lock (_gate) return _tasks.Select(t => _schedule[t.Name]).ToArray();
    }

    public IReadOnlyList<MeterHealthSnapshot> Health() => _workers.SelectMany(w => w.Health()).ToArray();

    public IReadOnlyList<BusCountersSnapshot> Counters() => _workers.Select(w => w.Counters()).ToArray();

    /// <summary>
    /// Reads a meter now, ahead of all scheduled work on its bus (see <see cref="BusWorker.RequestOnDemandAsync"/>).
    /// Throws <see cref="ArgumentException"/> for a meter not in the archive.
    /// </summary>
    public Task<IReadOnlyList<Reading>> RequestOnDemandAsync(MeterId meter, IReadOnlyCollection<ObisCode>? quantities, CancellationToken cancellationToken) =>
        _byMeter.TryGetValue(meter, out var worker)
            ? worker.RequestOnDemandAsync(meter, quantities, cancellationToken)
            : throw new ArgumentException($"Meter {meter} is not in the archive", nameof(meter));

    /// <summary>Runs every task until <paramref name="cancellationToken"/> fires, then returns (does not throw on cancellation). The bus workers run separately.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _logger.LogInformation("Collection scheduler started: {TaskCount} tasks over {BusCount} buses", _tasks.Count, _workers.Count);
        try
        {
            if (_tasks.Count == 0) await Task.Delay(Timeout.InfiniteTimeSpan, _time, cancellationToken);
            else await Task.WhenAll(_tasks.Select(t => RunTaskAsync(t, cancellationToken)));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopping
        }
        _logger.LogInformation("Collection scheduler stopped");
    }

    private async Task RunTaskAsync(CollectionTask task, CancellationToken ct)
    {
        await Task.Yield();
        var targets = ResolveTargets(task);
        var intervalMs = (long)task.Interval.TotalMilliseconds;
        long? due = null;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            if (due is null)
            {
                due = IntervalClock.NextDue(now, task.Interval, task.Offset);
            }
            else if (now < due.Value - intervalMs)
            {
                var next = IntervalClock.NextDue(now, task.Interval, task.Offset);
                _logger.LogWarning("Task {Task}: clock stepped back (now {NowUnixMs}, was waiting for {DueUnixMs}); next due {NextUnixMs}", task.Name, now, due, next);
                due = next;
            }
            else if (now >= due.Value + intervalMs)
            {
                var latest = IntervalClock.NextDue(now, task.Interval, task.Offset) - intervalMs;
                _logger.LogWarning("Task {Task}: clock stepped forward or scheduler stalled (now {NowUnixMs}, due was {DueUnixMs}); reading interval due {LatestUnixMs} now, {Missed} intervals missed",
                    task.Name, now, due, latest, (latest - due.Value) / intervalMs);
                due = latest;
            }

            var wait = due.Value - now;
            if (wait > 0)
            {
                var step = TimeSpan.FromMilliseconds(Math.Min(wait, (long)_options.MaxSchedulerWait.TotalMilliseconds));
                var delay = Task.Delay(step, _time, ct);
                SetNextDue(task.Name, due.Value);
                await delay;
                continue;
            }

            await EnqueueAsync(task, targets, due.Value, ct);
            due += intervalMs;
        }
    }

    private async Task EnqueueAsync(CollectionTask task, IReadOnlyList<(BusWorker Worker, Meter[] Meters)> targets, long dueUnixMs, CancellationToken ct)
    {
        var offsetMs = (long)task.Offset.TotalMilliseconds;
        var intervalUnixMs = dueUnixMs - offsetMs;
        var deadlineUnixMs = dueUnixMs + (long)task.Interval.TotalMilliseconds;
        var count = 0;
        for (var i = 0; i < targets.Count; i++)
        {
            if (i > 0 && _options.BusStagger > TimeSpan.Zero) await Task.Delay(_options.BusStagger, _time, ct);
            var (worker, meters) = targets[i];
            foreach (var m in meters)
            {
                worker.EnqueueScheduled(ReadJob.Scheduled(m, task.Quantities, task.Name, intervalUnixMs, deadlineUnixMs));
                count++;
            }
        }
        lock (_gate)
        {
            var s = _schedule[task.Name];
            _schedule[task.Name] = s with { LastIntervalUnixMs = intervalUnixMs, JobsQueued = s.JobsQueued + count };
        }
        _logger.LogDebug("Task {Task}: queued {Count} jobs for interval {IntervalUnixMs}", task.Name, count, intervalUnixMs);
    }

    private List<(BusWorker Worker, Meter[] Meters)> ResolveTargets(CollectionTask task)
    {
        foreach (var id in task.Meters.Where(id => !_byMeter.ContainsKey(id)))
            _logger.LogWarning("Task {Task}: meter {Meter} is not in the archive, ignored", task.Name, id);
        return _workers
            .Select(w => (Worker: w, Meters: w.Meters.Where(m => task.Includes(m.Id)).ToArray()))
            .Where(x => x.Meters.Length > 0)
            .ToList();
    }

    private void SetNextDue(string task, long dueUnixMs)
    {
        lock (_gate)
        {
            var s = _schedule[task];
            if (s.NextDueUnixMs != dueUnixMs) _schedule[task] = s with { NextDueUnixMs = dueUnixMs };
        }
    }
}

/// <summary>Where one collection task stands.</summary>
/// <param name="NextDueUnixMs">The due time the scheduler waits for (null before it started).</param>
/// <param name="LastIntervalUnixMs">Interval timestamp of the last jobs queued.</param>
/// <param name="JobsQueued">Jobs queued since start.</param>
public sealed record TaskScheduleSnapshot(string Task, TimeSpan Interval, TimeSpan Offset, long? NextDueUnixMs, long? LastIntervalUnixMs, long JobsQueued);
