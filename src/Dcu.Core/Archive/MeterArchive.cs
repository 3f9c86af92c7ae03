using Dcu.Core.Collection;
using Dcu.Core.Model;
using Microsoft.Extensions.Logging;

namespace Dcu.Core.Archive;

/// <summary>
/// The one way to change the meter archive at runtime. A change (add, update or remove one or several
/// meters) is all validated first and refused whole (<see cref="CollectionChangeRejectedException"/>,
/// every problem naming its field) or applied whole, in this order: written to meters.json (a failed
/// write applies nothing), handed to the bus workers (a removed meter's queued jobs are dropped; an
/// update moving a meter to another bus is a remove and an add), told to the <see cref="IArchiveObserver"/>,
/// then each touched bus that keeps a copy (<see cref="IBusArchiveSync"/>, a PLC module's route table)
/// is synced. A sync that fails or does not verify is retried by <see cref="RunAsync"/> every
/// <see cref="SyncRetryInterval"/> until it verifies; the change itself stands either way.
/// </summary>
/// <remarks>
/// Changes of meters and of tasks (<see cref="TaskBook"/>) are serialized by one gate, so that a task
/// never names a meter the archive lost: a meter named by a task cannot be removed.
/// </remarks>
public sealed class MeterArchive
{
    private readonly List<MeterEntry> _entries;
    private readonly CollectionScheduler _scheduler;
    private readonly IMeterEntryValidator _validator;
    private readonly CollectionStateFiles? _files;
    private readonly Dictionary<string, IBusArchiveSync> _syncs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _pendingSyncs = new(StringComparer.Ordinal);
    private readonly IArchiveObserver? _observer;

    /// <summary>Told of task changes too (<see cref="TaskBook"/>), under the same gate.</summary>
    internal IArchiveObserver? Observer => _observer;

    internal long NowUnixMs => _time.GetUtcNow().ToUnixTimeMilliseconds();
    private readonly TimeProvider _time;
    private readonly ILogger<MeterArchive> _logger;

    /// <param name="entries">The archive the bus workers were built with (same meters, same order).</param>
    /// <param name="files">Where the archive is persisted; null keeps changes in memory only.</param>
    public MeterArchive(CollectionScheduler scheduler, IMeterEntryValidator validator, IEnumerable<MeterEntry> entries, CollectionStateFiles? files,
        IEnumerable<IBusArchiveSync>? syncs, IArchiveObserver? observer, TimeProvider timeProvider, ILogger<MeterArchive> logger)
    {
        _scheduler = scheduler ?? throw new ArgumentNullException(nameof(scheduler));
        _validator = validator ?? throw new ArgumentNullException(nameof(validator));
        _entries = [.. entries];
        _files = files;
        foreach (var s in syncs ?? []) _syncs.Add(s.Bus, s);
        _observer = observer;
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        foreach (var e in _entries)
            if (!scheduler.TryGetMeter(new MeterId(e.Id), out _)) throw new ArgumentException($"Meter {e.Id} is in the archive but on no bus worker", nameof(entries));
    }

    /// <summary>Serializes every change of meters and tasks.</summary>
    internal SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>How long after a failed or unverified sync it is tried again.</summary>
    public TimeSpan SyncRetryInterval { get; init; } = TimeSpan.FromMinutes(1);

    public CollectionScheduler Scheduler => _scheduler;

    /// <summary>The archive now, in order.</summary>
    public IReadOnlyList<MeterEntry> Entries
    {
        get { lock (_entries) return [.. _entries]; }
    }

    public bool Contains(string id)
    {
        lock (_entries) return _entries.Exists(e => e.Id == id);
    }

    /// <summary>Buses whose copy of the archive is not verified yet (retried).</summary>
    public IReadOnlyList<string> PendingSyncs
    {
        get { lock (_pendingSyncs) return [.. _pendingSyncs.Order(StringComparer.Ordinal)]; }
    }

    /// <summary>Adds meters; <paramref name="field"/> names the list in problems ("args.meters" gives "args.meters[1].address").</summary>
    public Task<ArchiveChangeResult> AddAsync(IReadOnlyList<MeterEntry> meters, string field, CancellationToken cancellationToken) =>
        ChangeAsync(meters, [], [], field, cancellationToken);

    /// <summary>Replaces meters' entries (matched by id).</summary>
    public Task<ArchiveChangeResult> UpdateAsync(IReadOnlyList<MeterEntry> meters, string field, CancellationToken cancellationToken) =>
        ChangeAsync([], meters, [], field, cancellationToken);

    /// <summary>Removes meters by id.</summary>
    public Task<ArchiveChangeResult> RemoveAsync(IReadOnlyList<string> ids, string field, CancellationToken cancellationToken) =>
        ChangeAsync([], [], ids, field, cancellationToken);

    private async Task<ArchiveChangeResult> ChangeAsync(IReadOnlyList<MeterEntry> add, IReadOnlyList<MeterEntry> update, IReadOnlyList<string> remove,
        string field, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            var current = Entries;
            var (next, models, problems) = Plan(current, add, update, remove, field);
            if (problems.Count > 0) throw new CollectionChangeRejectedException(problems);

            _files?.SaveMeters(next); // first: a failed write changes nothing
            lock (_entries) { _entries.Clear(); _entries.AddRange(next); }
            var touched = Apply(models, remove);
            IReadOnlyList<string> ids = [.. add.Select(e => e.Id), .. update.Select(e => e.Id), .. remove];
            _logger.LogInformation("Meter archive changed: {Added} added, {Updated} updated, {Removed} removed ({Meters}); {Count} meters now{Persisted}",
                add.Count, update.Count, remove.Count, string.Join(", ", ids), next.Count, _files is null ? "" : ", saved to " + _files.MetersPath);

            // Still under the gate: two syncs of one bus must not interleave, or an older list could win.
            var syncs = new List<BusSyncResult>();
            foreach (var bus in touched.Order(StringComparer.Ordinal))
                if (_syncs.TryGetValue(bus, out var sync)) syncs.Add(await SyncAsync(sync, cancellationToken));
            return new ArchiveChangeResult(ids, syncs);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Checks the whole change against the archive and the tasks; the new archive, the model of each added/updated meter, and the problems.</summary>
    private (List<MeterEntry> Next, Dictionary<string, Meter> Models, List<string> Problems) Plan(IReadOnlyList<MeterEntry> current,
        IReadOnlyList<MeterEntry> add, IReadOnlyList<MeterEntry> update, IReadOnlyList<string> remove, string field)
    {
        var problems = new List<string>();
        var models = new Dictionary<string, Meter>(StringComparer.Ordinal);
        var next = current.ToList();
        var index = current.Select((e, i) => (e.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        if (add.Count + update.Count + remove.Count == 0) problems.Add($"{field} must not be empty");

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < remove.Count; i++)
        {
            var id = remove[i];
            var name = $"{field}[{i}]";
            if (!seen.Add(id)) { problems.Add($"{name} '{id}' is listed twice"); continue; }
            if (!index.ContainsKey(id)) { problems.Add($"{name} '{id}' is not in the archive"); continue; }
            var naming = _scheduler.Tasks.Where(t => t.Meters.Contains(new MeterId(id))).Select(t => t.Name).ToArray();
            if (naming.Length > 0) problems.Add($"{name} '{id}' is named by task{(naming.Length > 1 ? "s" : "")} {string.Join(", ", naming.Select(n => $"'{n}'"))}: take it out of the task first");
        }
        next.RemoveAll(e => remove.Contains(e.Id));

        foreach (var (list, adding) in new[] { (add, true), (update, false) })
            for (var i = 0; i < list.Count; i++)
            {
                var e = list[i];
                var f = FieldNames.Args($"{field}[{i}]");
                if (e is null) { problems.Add($"{field}[{i}] must be an object"); continue; }
                if (string.IsNullOrWhiteSpace(e.Id)) { problems.Add($"{f("Id")} is required"); continue; }
                if (e.Id.Length > 64 || e.Id.Any(char.IsControl)) { problems.Add($"{f("Id")} must be at most 64 printable characters"); continue; }
                if (!seen.Add(e.Id)) { problems.Add($"{f("Id")} '{e.Id}' is listed twice"); continue; }
                var exists = index.ContainsKey(e.Id);
                if (adding && exists) { problems.Add($"{f("Id")} '{e.Id}' is already in the archive (meters.update changes it)"); continue; }
                if (!adding && !exists) { problems.Add($"{f("Id")} '{e.Id}' is not in the archive (meters.add adds it)"); continue; }
                var protocol = _validator.Validate(e, f, problems);
                if (protocol is not { } p) continue;
                models[e.Id] = new Meter(new MeterId(e.Id), e.Bus, p, e.Address, e.Profile) { Turnaround = e.Turnaround };
                if (adding) next.Add(e);
                else next[next.FindIndex(x => x.Id == e.Id)] = e;
            }

        // One address per bus, across the archive as it would be.
        foreach (var (list, _) in new[] { (add, true), (update, false) })
            for (var i = 0; i < list.Count; i++)
            {
                var e = list[i];
                if (e is null || !models.ContainsKey(e.Id)) continue;
                var other = next.Find(x => x.Id != e.Id && x.Bus == e.Bus && x.Address == e.Address);
                if (other is not null) problems.Add($"{FieldNames.Args($"{field}[{i}]")("Address")} {e.Address} is used by meter '{other.Id}' on bus '{e.Bus}'");
            }
        return (next, models, problems);
    }

    /// <summary>Hands the change to the bus workers and the observer; returns the buses touched.</summary>
    private HashSet<string> Apply(Dictionary<string, Meter> models, IReadOnlyList<string> remove)
    {
        var touched = new HashSet<string>(StringComparer.Ordinal);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var id in remove)
        {
            var meter = new MeterId(id);
            if (_scheduler.WorkerOf(meter) is { } worker && worker.RemoveMeter(meter)) touched.Add(worker.Bus);
            _observer?.MeterRemoved(meter);
        }
        foreach (var (id, meter) in models)
        {
            var target = _scheduler.FindWorker(meter.Bus) ?? throw new InvalidOperationException($"Bus '{meter.Bus}' has no worker");
            var was = _scheduler.WorkerOf(meter.Id);
            if (was == target) target.UpdateMeter(meter);
            else
            {
                if (was is not null)
                {
                    was.RemoveMeter(meter.Id);
                    touched.Add(was.Bus);
                }
                target.AddMeter(meter);
                if (was is null) _observer?.MeterAdded(meter.Id, now);
            }
            // An address change matters to a bus's own copy; other fields do not, but one sync too many is harmless.
            touched.Add(target.Bus);
        }
        return touched;
    }

    private async Task<BusSyncResult> SyncAsync(IBusArchiveSync sync, CancellationToken cancellationToken)
    {
        var meters = _scheduler.FindWorker(sync.Bus)?.Meters ?? [];
        string? error;
        try
        {
            if (await sync.SyncArchiveAsync(meters, cancellationToken))
            {
                lock (_pendingSyncs) _pendingSyncs.Remove(sync.Bus);
                return new BusSyncResult(sync.Bus, true);
            }
            error = "read back differs from the archive";
        }
        catch (Exception ex) when (ex is not OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            error = ex is OperationCanceledException ? "cancelled" : ex.Message;
        }
        lock (_pendingSyncs) _pendingSyncs.Add(sync.Bus);
        _logger.LogWarning("Bus {Bus}: archive copy not synced ({Error}); retried every {Retry}", sync.Bus, error, SyncRetryInterval);
        return new BusSyncResult(sync.Bus, false, error, SyncRetryInterval);
    }

    /// <summary>Retries the syncs that failed, every <see cref="SyncRetryInterval"/>, until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(SyncRetryInterval, _time, cancellationToken);
                foreach (var bus in PendingSyncs)
                {
                    // Under the gate: a change in between would sync again anyway; this keeps the two from interleaving.
                    await Gate.WaitAsync(cancellationToken);
                    try
                    {
                        if (PendingSyncs.Contains(bus)) await SyncAsync(_syncs[bus], cancellationToken);
                    }
                    finally
                    {
                        Gate.Release();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}

/// <summary>What a change did: the meters changed, and how each touched bus's own copy of the archive followed.</summary>
public sealed record ArchiveChangeResult(IReadOnlyList<string> Meters, IReadOnlyList<BusSyncResult> Syncs);
