using Dcu.Core.Abstractions;
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
/// <remarks>
/// Tasks can be added, replaced and deleted while the scheduler runs. A replaced task's next boundary
/// uses the new definition: the first interval after the change that is later than the last interval
/// already queued for it (so no interval twice, and no burst of the ones before). The meters of a task
/// are resolved at each boundary from the bus workers, so archive changes apply from the next interval.
/// It also carries out <see cref="IMeterOperations"/> for commands, through the worker of the meter's bus.
/// </remarks>
public sealed class CollectionScheduler : IMeterOperations
{
    private const long ClockMovedMs = 1_000;

    private readonly object _gate = new();
    private readonly List<TaskEntry> _tasks = [];
    private readonly IReadOnlyList<BusWorker> _workers;
    private readonly Dictionary<string, BusWorker> _byBus = new(StringComparer.Ordinal);
    private readonly List<Task> _loops = [];
    private readonly Dictionary<string, long> _lastQueued = new(StringComparer.Ordinal); // survives a delete, so a task re-added under its name repeats no interval
    private readonly CollectionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<CollectionScheduler> _logger;
    private CancellationToken? _running;

    /// <summary>Builds the tasks from <paramref name="options"/> (which must validate) over the given bus workers.</summary>
    public CollectionScheduler(CollectionOptions options, IEnumerable<BusWorker> workers, TimeProvider timeProvider, ILogger<CollectionScheduler> logger)
        : this(options, (options ?? throw new ArgumentNullException(nameof(options))).BuildTasks(), workers, timeProvider, logger)
    {
    }

    public CollectionScheduler(CollectionOptions options, IReadOnlyList<CollectionTask> tasks, IEnumerable<BusWorker> workers, TimeProvider timeProvider, ILogger<CollectionScheduler> logger)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        ArgumentNullException.ThrowIfNull(tasks);
        _workers = workers.ToArray();
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        foreach (var w in _workers)
            if (!_byBus.TryAdd(w.Bus, w)) throw new ArgumentException("Two bus workers share a bus name", nameof(workers));
        var seen = new HashSet<MeterId>();
        foreach (var w in _workers)
            foreach (var m in w.Meters)
                if (!seen.Add(m.Id)) throw new ArgumentException($"Meter {m.Id} is on two buses", nameof(workers));
        if (tasks.Select(t => t.Name).Distinct(StringComparer.Ordinal).Count() != tasks.Count)
            throw new ArgumentException("Two tasks share a name", nameof(tasks));
        foreach (var t in tasks) _tasks.Add(new TaskEntry(t));
    }

    public IReadOnlyList<BusWorker> Workers => _workers;

    /// <summary>The tasks now, in the order they were added.</summary>
    public IReadOnlyList<CollectionTask> Tasks
    {
        get { lock (_gate) return _tasks.Select(e => e.Task).ToArray(); }
    }

    /// <summary>The task of that name, or null.</summary>
    public CollectionTask? FindTask(string name)
    {
        lock (_gate) return Find(name)?.Task;
    }

    /// <summary>The worker of a bus, or null when there is no such bus.</summary>
    public BusWorker? FindWorker(string bus) => _byBus.GetValueOrDefault(bus);

    /// <summary>The worker whose bus the meter is on now, or null when it is not in the archive.</summary>
    public BusWorker? WorkerOf(MeterId meter)
    {
        foreach (var w in _workers)
            if (w.TryGetMeter(meter, out _)) return w;
        return null;
    }

    /// <summary>Where each task stands: next due time, last interval queued, jobs queued so far.</summary>
    public IReadOnlyList<TaskScheduleSnapshot> Schedule()
    {
        lock (_gate) return _tasks.Select(e => e.Snapshot).ToArray();
    }

    public IReadOnlyList<MeterHealthSnapshot> Health() => _workers.SelectMany(w => w.Health()).ToArray();

    public IReadOnlyList<BusCountersSnapshot> Counters() => _workers.Select(w => w.Counters()).ToArray();

    /// <summary>Adds a task; when running, it is first due at its next boundary. Throws <see cref="ArgumentException"/> when the name is taken.</summary>
    public void AddTask(CollectionTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        lock (_gate)
        {
            if (Find(task.Name) is not null) throw new ArgumentException($"A task named '{task.Name}' exists", nameof(task));
            var entry = new TaskEntry(task);
            if (_lastQueued.TryGetValue(task.Name, out var last)) entry.Queued(last, 0);
            _tasks.Add(entry);
            if (_running is { IsCancellationRequested: false } ct) _loops.Add(RunTaskAsync(entry, ct));
        }
        _logger.LogInformation("Task {Task} added: every {Interval} + {Offset}, {Meters} meters ({MeterCount}), {Quantities} quantities",
            task.Name, task.Interval, task.Offset, task.Meters.Count == 0 ? "all" : "some", task.Meters.Count, task.Quantities.Count);
    }

    /// <summary>
    /// Replaces the task of the same name: its next boundary uses the new definition (the first one whose
    /// interval is later than the last interval queued). Throws <see cref="ArgumentException"/> when there is no such task.
    /// </summary>
    public void ReplaceTask(CollectionTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        lock (_gate)
        {
            var entry = Find(task.Name) ?? throw new ArgumentException($"No task named '{task.Name}'", nameof(task));
            entry.Replace(task);
        }
        _logger.LogInformation("Task {Task} replaced: every {Interval} + {Offset}", task.Name, task.Interval, task.Offset);
    }

    /// <summary>Deletes a task: nothing more is queued for it (jobs already queued still run). False when there is no such task.</summary>
    public bool DeleteTask(string name)
    {
        lock (_gate)
        {
            var entry = Find(name);
            if (entry is null) return false;
            _tasks.Remove(entry);
            entry.Delete();
        }
        _logger.LogInformation("Task {Task} deleted", name);
        return true;
    }

    private TaskEntry? Find(string name) => _tasks.Find(e => string.Equals(e.Task.Name, name, StringComparison.Ordinal));

    /// <summary>
    /// Reads a meter now, ahead of all scheduled work on its bus (see <see cref="BusWorker.RequestOnDemandAsync"/>).
    /// Throws <see cref="ArgumentException"/> for a meter not in the archive.
    /// </summary>
    public Task<IReadOnlyList<Reading>> RequestOnDemandAsync(MeterId meter, IReadOnlyCollection<ObisCode>? quantities, CancellationToken cancellationToken) =>
        WorkerOf(meter) is { } worker
            ? worker.RequestOnDemandAsync(meter, quantities, cancellationToken)
            : throw new ArgumentException($"Meter {meter} is not in the archive", nameof(meter));

    public bool TryGetMeter(MeterId id, out Meter meter)
    {
        foreach (var w in _workers)
            if (w.TryGetMeter(id, out meter)) return true;
        meter = null!;
        return false;
    }

    public Task<T> RunOnMeterAsync<T>(MeterId meter, Func<Meter, IMeterControl?, CancellationToken, Task<T>> operation, CancellationToken cancellationToken) =>
        WorkerOf(meter) is { } worker
            ? worker.RunOnMeterAsync(meter, operation, cancellationToken)
            : throw new ArgumentException($"Meter {meter} is not in the archive", nameof(meter));

    public async Task<IReadOnlyList<T>> RunOnEachBusAsync<T>(Func<string, IMeterControl?, CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return await Task.WhenAll(_workers.Select(w => w.RunOnBusAsync((control, ct) => operation(w.Bus, control, ct), cancellationToken)));
    }

    /// <summary>Runs every task (also those added later) until <paramref name="cancellationToken"/> fires, then returns (does not throw on cancellation). The bus workers run separately.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_running is not null) throw new InvalidOperationException("The collection scheduler is already running");
            _running = cancellationToken;
            foreach (var entry in _tasks) _loops.Add(RunTaskAsync(entry, cancellationToken));
            _logger.LogInformation("Collection scheduler started: {TaskCount} tasks over {BusCount} buses", _tasks.Count, _workers.Count);
        }
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, _time, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopping
        }
        Task[] loops;
        lock (_gate) loops = [.. _loops];
        try
        {
            await Task.WhenAll(loops);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        _logger.LogInformation("Collection scheduler stopped");
    }

    private async Task RunTaskAsync(TaskEntry entry, CancellationToken ct)
    {
        await Task.Yield();
        CollectionTask? current = null;
        long intervalMs = 0, offsetMs = 0, due = 0;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            CollectionTask task;
            CancellationToken wake;
            long? lastQueued;
            lock (_gate)
            {
                if (entry.Deleted) return;
                (task, wake, lastQueued) = (entry.Task, entry.WakeToken, entry.Snapshot.LastIntervalUnixMs);
            }
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            if (!ReferenceEquals(task, current))
            {
                current = task;
                intervalMs = (long)task.Interval.TotalMilliseconds;
                offsetMs = (long)task.Offset.TotalMilliseconds;
                due = IntervalClock.NextDue(now, task.Interval, task.Offset);
                // After a replacement: never an interval already queued under the old definition.
                while (lastQueued is { } last && due - offsetMs <= last) due += intervalMs;
                foreach (var id in task.Meters.Where(id => WorkerOf(id) is null))
                    _logger.LogWarning("Task {Task}: meter {Meter} is not in the archive, ignored while it is not", task.Name, id);
            }
            else if (now < due - intervalMs - offsetMs)
            {
                var next = IntervalClock.NextDue(now, task.Interval, task.Offset);
                _logger.LogWarning("Task {Task}: clock stepped back (now {NowUnixMs}, was waiting for {DueUnixMs}); next due {NextUnixMs}", task.Name, now, due, next);
                due = next;
            }
            else if (now >= due + intervalMs)
            {
                var latest = IntervalClock.NextDue(now, task.Interval, task.Offset) - intervalMs;
                _logger.LogWarning("Task {Task}: clock stepped forward or scheduler stalled (now {NowUnixMs}, due was {DueUnixMs}); reading interval due {LatestUnixMs} now, {Missed} intervals missed",
                    task.Name, now, due, latest, (latest - due) / intervalMs);
                due = latest;
            }

            var wait = due - now;
            if (wait > 0)
            {
                var step = TimeSpan.FromMilliseconds(Math.Min(wait, (long)_options.MaxSchedulerWait.TotalMilliseconds));
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, wake);
                var delay = Task.Delay(step, _time, linked.Token);
                if (_time.GetUtcNow().ToUnixTimeMilliseconds() - now > ClockMovedMs)
                    await linked.CancelAsync(); // the clock moved before the timer started (a step, a stall): it would fire late, measure again
                else
                    lock (_gate) entry.SetNextDue(due);
                try
                {
                    await delay;
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    // replaced, deleted or re-measured: read the definition and the clock again
                }
                continue;
            }

            await EnqueueAsync(entry, task, ResolveTargets(task), due, ct);
            due += intervalMs;
        }
    }

    private async Task EnqueueAsync(TaskEntry entry, CollectionTask task, IReadOnlyList<(BusWorker Worker, Meter[] Meters)> targets, long dueUnixMs, CancellationToken ct)
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
                if (worker.TryEnqueueScheduled(ReadJob.Scheduled(m, task.Quantities, task.Name, intervalUnixMs, deadlineUnixMs))) // false: removed meanwhile
                    count++;
        }
        lock (_gate)
        {
            entry.Queued(intervalUnixMs, count);
            _lastQueued[task.Name] = intervalUnixMs;
        }
        _logger.LogDebug("Task {Task}: queued {Count} jobs for interval {IntervalUnixMs}", task.Name, count, intervalUnixMs);
    }

    /// <summary>The task's meters as the archive holds them now, per bus, in archive order.</summary>
    private List<(BusWorker Worker, Meter[] Meters)> ResolveTargets(CollectionTask task) =>
        _workers
            .Select(w => (Worker: w, Meters: w.Meters.Where(m => task.Includes(m.Id)).ToArray()))
            .Where(x => x.Meters.Length > 0)
            .ToList();

    /// <summary>One task and where it stands. Touched only under the scheduler's gate.</summary>
    private sealed class TaskEntry(CollectionTask task)
    {
        private CancellationTokenSource _wake = new();

        public CollectionTask Task { get; private set; } = task;

        public TaskScheduleSnapshot Snapshot { get; private set; } = new(task.Name, task.Interval, task.Offset, null, null, 0);

        public bool Deleted { get; private set; }

        /// <summary>Fires when the definition changed or the task was deleted.</summary>
        public CancellationToken WakeToken => _wake.Token;

        public void Replace(CollectionTask task)
        {
            Task = task;
            Snapshot = Snapshot with { Interval = task.Interval, Offset = task.Offset, NextDueUnixMs = null };
            Wake();
        }

        public void Delete()
        {
            Deleted = true;
            Wake();
        }

        public void SetNextDue(long dueUnixMs)
        {
            if (Snapshot.NextDueUnixMs != dueUnixMs) Snapshot = Snapshot with { NextDueUnixMs = dueUnixMs };
        }

        public void Queued(long intervalUnixMs, int jobs) =>
            Snapshot = Snapshot with { LastIntervalUnixMs = intervalUnixMs, JobsQueued = Snapshot.JobsQueued + jobs };

        private void Wake()
        {
            // Not disposed: the loop may still hold its token (cancelled, so registering on it is harmless).
            var old = _wake;
            _wake = new CancellationTokenSource();
            old.Cancel();
        }
    }
}

/// <summary>Where one collection task stands.</summary>
/// <param name="NextDueUnixMs">The due time the scheduler waits for (null before it started).</param>
/// <param name="LastIntervalUnixMs">Interval timestamp of the last jobs queued.</param>
/// <param name="JobsQueued">Jobs queued since start.</param>
public sealed record TaskScheduleSnapshot(string Task, TimeSpan Interval, TimeSpan Offset, long? NextDueUnixMs, long? LastIntervalUnixMs, long JobsQueued);
