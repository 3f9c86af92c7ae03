using Dcu.Core.Archive;
using Dcu.Core.Collection;
using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Dcu.Core.Uplink;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Core.Events;

/// <summary>
/// Collection-quality statistics, fed by the bus workers (<see cref="ICollectionObserver"/>).
/// </summary>
/// <remarks>
/// <para><b>Unit.</b> A slot is one (meter, task, interval): two tasks covering the same meter are
/// two expected reads per interval, each collected or not on its own. A slot counts as collected
/// once its job produced readings that were appended to the outbox (queued for commit): on time,
/// late, or by a catch-up read. It is on time when collected before the task's next read was due
/// (the deadline that flags readings Late) and not by a catch-up.</para>
/// <para><b>Expected.</b> For each task and each meter it covers (in the archive given here),
/// every interval of the UTC day (86 400 s / interval) whose due time (interval + offset) is after
/// the moment this tracker was created (the DCU start); so on the day the DCU starts only the
/// intervals the scheduler will actually queue are expected, and after that the whole day.
/// Status snapshots count only intervals whose own interval has ended (deadline passed).</para>
/// <para><b>Memory.</b> Only today and yesterday are kept (two bitsets of a day's intervals per
/// slot that has readings). Yesterday's report is produced <see cref="CollectionQualityOptions.ReportDelay"/>
/// after midnight and appended to the outbox as a message on <c>dcu/{id}/quality</c> (Results lane);
/// yesterday stays visible until the next midnight, then it is dropped (reported first if it was not,
/// e.g. after a clock step). Catch-up reads that land after the report are counted in memory only.
/// Readings for days older than yesterday are ignored. State is not persisted: after a restart
/// the day is counted from the restart.</para>
/// </remarks>
public sealed class CollectionQuality : ICollectionObserver, IArchiveObserver
{
    private const long DayMs = 86_400_000;
    private const int MaxPendingReports = 7;

    private readonly object _gate = new();
    private readonly List<TaskInfo> _tasks = []; // every task counted since start, including replaced and deleted ones (by index)
    private readonly Dictionary<string, int> _taskIndex = new(StringComparer.Ordinal);
    private readonly List<MeterId> _meters;
    private readonly List<long> _meterSince; // when each meter (by index) started to be expected
    private readonly Dictionary<MeterId, int> _meterIndex = []; // the meters in the archive now
    private readonly SortedDictionary<long, Day> _days = [];
    private readonly List<DailyQualityReport> _pending = [];
    private readonly IOutboxWriter _outbox;
    private readonly CollectionQualityOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _startMs;
    private DailyQualityReport? _lastReport;
    private long _ignored;

    public CollectionQuality(IReadOnlyList<CollectionTask> tasks, IEnumerable<MeterId> meters, IOutboxWriter outbox,
        CollectionQualityOptions? options = null, TimeProvider? timeProvider = null, ILogger<CollectionQuality>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(meters);
        _outbox = outbox ?? throw new ArgumentNullException(nameof(outbox));
        _options = options ?? new CollectionQualityOptions();
        var problems = _options.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems), nameof(options));
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _meters = meters.Distinct().ToList();
        for (var i = 0; i < _meters.Count; i++) _meterIndex[_meters[i]] = i;
        _startMs = NowMs;
        foreach (var task in tasks)
        {
            if (_taskIndex.ContainsKey(task.Name)) throw new ArgumentException($"Two tasks share the name '{task.Name}'", nameof(tasks));
            AddTask(task, _startMs);
        }
        _meterSince = _meters.Select(_ => _startMs).ToList();
    }

    /// <summary>A meter added to the archive: expected from its first interval due after <paramref name="sinceUnixMs"/>.</summary>
    public void MeterAdded(MeterId meter, long sinceUnixMs)
    {
        lock (_gate)
        {
            if (_meterIndex.ContainsKey(meter)) return;
            var m = _meters.Count; // a new index, also when re-added: its old slots stay with the old index
            _meters.Add(meter);
            _meterSince.Add(Math.Max(sinceUnixMs, _startMs));
            _meterIndex[meter] = m;
            foreach (var t in _taskIndex.Values)
                if (_tasks[t].Definition.Includes(meter)) _tasks[t].Meters.Add(m); // stays sorted: m is the largest index
        }
    }

    /// <summary>A meter removed from the archive: no longer expected, its results ignored.</summary>
    public void MeterRemoved(MeterId meter)
    {
        lock (_gate)
        {
            if (!_meterIndex.Remove(meter, out var m)) return;
            foreach (var task in _tasks) task.Meters.Remove(m);
        }
    }

    /// <summary>A task added (or the new definition of a replaced one): expected from its first interval due after <paramref name="sinceUnixMs"/>.</summary>
    public void TaskAdded(CollectionTask task, long sinceUnixMs)
    {
        ArgumentNullException.ThrowIfNull(task);
        lock (_gate)
        {
            if (_taskIndex.TryGetValue(task.Name, out var old)) _tasks[old].UntilMs = Math.Max(sinceUnixMs, _tasks[old].SinceMs);
            AddTask(task, Math.Max(sinceUnixMs, _startMs));
        }
    }

    /// <summary>A task deleted (or the old definition of a replaced one): its intervals due after <paramref name="untilUnixMs"/> are not expected.</summary>
    public void TaskRemoved(string name, long untilUnixMs)
    {
        lock (_gate)
        {
            if (_taskIndex.Remove(name, out var t)) _tasks[t].UntilMs = Math.Max(untilUnixMs, _tasks[t].SinceMs);
        }
    }

    private void AddTask(CollectionTask task, long sinceUnixMs)
    {
        var covered = _meterIndex.Where(kv => task.Includes(kv.Key)).Select(kv => kv.Value).Order().ToList();
        _taskIndex[task.Name] = _tasks.Count;
        _tasks.Add(new TaskInfo(task, sinceUnixMs, covered));
    }

    /// <summary>When counting started (the DCU start): intervals due at or before it are not expected.</summary>
    public long CountingSinceUnixMs => _startMs;

    /// <summary>Collected results ignored: unknown meter or task, interval off the task's grid, or a day already dropped.</summary>
    public long Ignored { get { lock (_gate) return _ignored; } }

    /// <summary>Days held in memory (at most today and yesterday).</summary>
    internal int DaysKept { get { lock (_gate) return _days.Count; } }

    /// <summary>The last daily report produced (null before the first).</summary>
    public DailyQualityReport? LastReport { get { lock (_gate) return _lastReport; } }

    /// <summary>Raised (on the report loop) for every daily report, before it is appended to the outbox.</summary>
    public event Action<DailyQualityReport>? ReportProduced;

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public void OnScheduledJob(CollectionJobResult result)
    {
        if (!result.Collected) return; // expected slots come from the tasks; only collections need recording
        lock (_gate)
        {
            var todayStart = DayStart(NowMs);
            Prune(todayStart);
            var dayStart = DayStart(result.IntervalUnixMs);
            if (!_meterIndex.TryGetValue(result.Meter, out var m) || !_taskIndex.TryGetValue(result.Task, out var t)
                || dayStart < todayStart - DayMs || dayStart > todayStart
                || (result.IntervalUnixMs - dayStart) % _tasks[t].IntervalMs != 0)
            {
                _ignored++;
                return;
            }
            var task = _tasks[t];
            var k = (int)((result.IntervalUnixMs - dayStart) / task.IntervalMs);
            var slot = GetDay(dayStart).Slot(SlotKey(m, t), task.PerDay);
            Set(slot.Collected, k);
            if (result.OnTime) Set(slot.OnTime, k);
        }
    }

    /// <summary>Today so far (intervals whose own interval has ended), and the last report.</summary>
    public QualitySnapshot Snapshot()
    {
        lock (_gate)
        {
            var now = NowMs;
            var todayStart = DayStart(now);
            Prune(todayStart);
            var s = Summarize(todayStart, now);
            return new QualitySnapshot(DateOf(todayStart), now, s.Expected, s.Collected, s.OnTime, s.SiteRate, s.Meters, s.Completeness, _lastReport);
        }
    }

    /// <summary>
    /// The reports due at <see cref="TimeProvider.GetUtcNow"/>: yesterday's once <see cref="CollectionQualityOptions.ReportDelay"/>
    /// has passed since midnight, and any older day not reported yet. Each day is reported once.
    /// <see cref="RunAsync"/> calls this; call it directly when you run your own loop.
    /// </summary>
    public IReadOnlyList<DailyQualityReport> TakeDueReports()
    {
        lock (_gate)
        {
            var now = NowMs;
            var todayStart = DayStart(now);
            Prune(todayStart);
            var yesterday = todayStart - DayMs;
            if (yesterday + DayMs > _startMs) GetDay(yesterday); // a day without a single reading is reported too
            var due = new List<DailyQualityReport>(_pending);
            _pending.Clear();
            foreach (var (start, day) in _days)
            {
                if (day.Reported || now < start + DayMs + (long)_options.ReportDelay.TotalMilliseconds) continue;
                day.Reported = true;
                var report = Report(start);
                if (report.Expected > 0) due.Add(report); // a day the DCU ran without any scheduled read due is not reported
            }
            if (due.Count > 0) _lastReport = due[^1];
            return due;
        }
    }

    /// <summary>
    /// Produces each day's report when it is due and appends it to the outbox as a
    /// <see cref="QualityReportEncoder.EventKind"/> event of the DCU, stamped with the day's start
    /// (so a re-sent report keeps its identity). Returns when <paramref name="cancellationToken"/> fires.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var delayMs = (long)_options.ReportDelay.TotalMilliseconds;
        try
        {
            while (true)
            {
                foreach (var report in TakeDueReports()) await EmitAsync(report, cancellationToken);
                var now = NowMs;
                var next = IntervalClock.NextDue(now, IntervalClock.Day, TimeSpan.FromMilliseconds(delayMs));
                var wait = Math.Clamp(next - now, 1, (long)_options.MaxWait.TotalMilliseconds);
                await Task.Delay(TimeSpan.FromMilliseconds(wait), _time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task EmitAsync(DailyQualityReport report, CancellationToken cancellationToken)
    {
        _logger.LogInformation("Collection quality {Date}: {Collected}/{Expected} collected ({Rate:P2}), {OnTime} on time",
            report.Date, report.Collected, report.Expected, report.SiteRate, report.OnTime);
        try
        {
            ReportProduced?.Invoke(report);
            var detail = QualityReportEncoder.EncodeDetail(report, _options.MaxMissEntries);
            await _outbox.AppendMessageAsync(new OutboxMessage(QualityReportEncoder.TopicSuffix, System.Text.Encoding.UTF8.GetBytes(detail), _time.GetUtcNow().ToUnixTimeMilliseconds()), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Collection quality report of {Date} could not be appended to the outbox", report.Date);
        }
    }

    // ---- under _gate ----

    private Day GetDay(long dayStart)
    {
        if (!_days.TryGetValue(dayStart, out var day)) _days[dayStart] = day = new Day();
        return day;
    }

    /// <summary>Drops days older than yesterday, keeping the reports of those not reported yet (bounded).</summary>
    private void Prune(long todayStart)
    {
        while (_days.Count > 0)
        {
            var (start, day) = _days.First();
            if (start >= todayStart - DayMs) break;
            if (!day.Reported && Report(start) is { Expected: > 0 } report)
            {
                if (_pending.Count >= MaxPendingReports) _pending.RemoveAt(0);
                _pending.Add(report);
            }
            _days.Remove(start);
        }
    }

    private DailyQualityReport Report(long dayStart)
    {
        var s = Summarize(dayStart, long.MaxValue);
        return new DailyQualityReport(DateOf(dayStart), Math.Max(dayStart, _startMs), s.Expected, s.Collected, s.OnTime, s.SiteRate,
            _options.CompletenessTarget, s.Meters, s.Completeness);
    }

    /// <summary>Counts a day's slots whose deadline is at or before <paramref name="asOfMs"/> (all of them for long.MaxValue).</summary>
    private Summary Summarize(long dayStart, long asOfMs)
    {
        _days.TryGetValue(dayStart, out var day);
        var ranges = new (int First, int End)[_tasks.Count];
        for (var t = 0; t < _tasks.Count; t++)
        {
            var task = _tasks[t];
            // Expected: intervals due after the task was counted from, at or before it was replaced/deleted, and ended by asOfMs.
            var first = (int)Math.Clamp(FloorDiv(task.SinceMs - task.OffsetMs - dayStart, task.IntervalMs) + 1, 0, task.PerDay);
            var end = asOfMs == long.MaxValue
                ? task.PerDay
                : (int)Math.Clamp(FloorDiv(asOfMs - task.OffsetMs - task.IntervalMs - dayStart, task.IntervalMs) + 1, first, task.PerDay);
            if (task.UntilMs != long.MaxValue)
                end = (int)Math.Clamp(FloorDiv(task.UntilMs - task.OffsetMs - dayStart, task.IntervalMs) + 1, first, end);
            ranges[t] = (first, end);
        }

        var meters = new List<MeterQuality>(_meterIndex.Count);
        long expected = 0, collected = 0, onTime = 0;
        for (var m = 0; m < _meters.Count; m++)
        {
            if (!_meterIndex.TryGetValue(_meters[m], out var active) || active != m) continue; // removed
            var tasks = new List<TaskQuality>();
            for (var t = 0; t < _tasks.Count; t++)
            {
                var task = _tasks[t];
                if (task.Meters.BinarySearch(m) < 0 || !task.Counts(ranges[t])) continue;
                var (first, end) = ranges[t];
                first = Math.Min(end, Math.Max(first, FirstExpected(m, task, dayStart)));
                var slot = day?.Find(SlotKey(m, t));
                var missed = new List<long>();
                int c = 0, o = 0;
                for (var k = first; k < end; k++)
                {
                    if (slot is not null && Get(slot.Collected, k)) c++;
                    else missed.Add(dayStart + k * task.IntervalMs);
                    if (slot is not null && Get(slot.OnTime, k)) o++;
                }
                tasks.Add(new TaskQuality(task.Name, task.Interval, end - first, c, o, missed));
            }
            var me = tasks.Sum(x => x.Expected);
            var mc = tasks.Sum(x => x.Collected);
            var mo = tasks.Sum(x => x.OnTime);
            meters.Add(new MeterQuality(_meters[m], me, mc, mo, tasks));
            expected += me;
            collected += mc;
            onTime += mo;
        }

        var completeness = new List<TaskCompleteness>(_tasks.Count);
        for (var t = 0; t < _tasks.Count; t++)
        {
            var task = _tasks[t];
            if (!task.Counts(ranges[t])) continue;
            var (first, end) = ranges[t];
            var per = new List<IntervalCompleteness>(end - first);
            var atTarget = 0;
            var min = 1.0;
            for (var k = first; k < end; k++)
            {
                var ok = 0;
                var expectedMeters = 0;
                foreach (var m in task.Meters)
                {
                    if (FirstExpected(m, task, dayStart) > k) continue; // added later
                    expectedMeters++;
                    if (day?.Find(SlotKey(m, t)) is { } slot && Get(slot.OnTime, k)) ok++;
                }
                var ic = new IntervalCompleteness(task.Name, dayStart + k * task.IntervalMs, expectedMeters, ok);
                per.Add(ic);
                if (ic.Share >= _options.CompletenessTarget) atTarget++;
                min = Math.Min(min, ic.Share);
            }
            completeness.Add(new TaskCompleteness(task.Name, task.Interval, per.Count, atTarget, min, per));
        }
        return new Summary(expected, collected, onTime, expected == 0 ? 1 : (double)collected / expected, meters, completeness);
    }

    /// <summary>The first interval index of the day that meter <paramref name="m"/> is expected in (due after it was added).</summary>
    private int FirstExpected(int m, TaskInfo task, long dayStart) =>
        (int)Math.Clamp(FloorDiv(_meterSince[m] - task.OffsetMs - dayStart, task.IntervalMs) + 1, 0, task.PerDay);

    private static long DayStart(long unixMs) => FloorDiv(unixMs, DayMs) * DayMs;

    private static DateOnly DateOf(long dayStart) => DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(dayStart).UtcDateTime);

    private static long FloorDiv(long a, long b)
    {
        var q = a / b;
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
    }

    private static void Set(ulong[] bits, int k) => bits[k >> 6] |= 1UL << (k & 63);

    private static bool Get(ulong[] bits, int k) => (bits[k >> 6] & (1UL << (k & 63))) != 0;

    private sealed record TaskInfo(CollectionTask Definition, long SinceMs, List<int> Meters)
    {
        public string Name => Definition.Name;

        public TimeSpan Interval => Definition.Interval;

        public long IntervalMs { get; } = (long)Definition.Interval.TotalMilliseconds;

        public long OffsetMs { get; } = (long)Definition.Offset.TotalMilliseconds;

        public int PerDay { get; } = (int)(DayMs / (long)Definition.Interval.TotalMilliseconds);

        /// <summary>When the task was replaced or deleted (its intervals due later are not expected); long.MaxValue while it runs.</summary>
        public long UntilMs { get; set; } = long.MaxValue;

        /// <summary>A task that runs counts every day (a day without expected intervals still lists it); a replaced or deleted one only where it expected something.</summary>
        public bool Counts((int First, int End) range) => UntilMs == long.MaxValue || range.End > range.First;
    }

    /// <summary>The day's slot of one (meter, task) pair; both are indexes that are never reused.</summary>
    private static long SlotKey(int meter, int task) => ((long)meter << 32) | (uint)task;

    private sealed record Summary(long Expected, long Collected, long OnTime, double SiteRate, IReadOnlyList<MeterQuality> Meters, IReadOnlyList<TaskCompleteness> Completeness);

    private sealed class Slot(int intervals)
    {
        public ulong[] Collected { get; } = new ulong[(intervals + 63) / 64];

        public ulong[] OnTime { get; } = new ulong[(intervals + 63) / 64];
    }

    /// <summary>One UTC day: a slot per (meter, task) that has readings.</summary>
    private sealed class Day
    {
        private readonly Dictionary<long, Slot> _slots = [];

        public bool Reported { get; set; }

        public Slot Slot(long key, int intervals)
        {
            if (!_slots.TryGetValue(key, out var slot)) _slots[key] = slot = new Slot(intervals);
            return slot;
        }

        public Slot? Find(long key) => _slots.GetValueOrDefault(key);
    }
}
