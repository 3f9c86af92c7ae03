using System.Threading.Channels;
using Dcu.Core.Model;
using LiteDB;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Core.Outbox;

/// <summary>
/// The durable, bounded outbox over one LiteDB file (opened once, <c>Connection=direct</c>), with four
/// lanes in priority order (<see cref="OutboxLane"/>), numbered batches (<see cref="OutboxBatch"/>) and a
/// sent history.
/// <para>
/// Writes: producers queue items into a bounded channel; ONE writer loop takes up to
/// <see cref="OutboxOptions.BatchSize"/> of them and commits them in one transaction
/// (BeginTrans .. Insert .. Commit, all synchronous on the loop's current thread, no await
/// inside, because LiteDB binds a transaction to its thread), then fsyncs the -log.
/// </para>
/// <para>
/// Removes, batch numbering and finishing (moving a batch's items to the sent history) are routed
/// through the same writer loop (an unbounded side channel, merged into the next transaction) rather
/// than done from the publisher's thread. That keeps every write transaction on one logical writer,
/// so there is never write-lock contention, and the per-lane counts used by the size bound, the open
/// batches and the seq counter are maintained in one place. Reads (<see cref="PeekOldest"/>,
/// <see cref="PeekBatches"/>, <see cref="GetStats"/>) are short queries, materialised with ToList().
/// </para>
/// <para>
/// Every call into the engine holds one lock: LiteDB 5.0.21 is meant to allow reads
/// beside a writer, but it has races there that break a read (litedb-org/LiteDB#2792: a query on a
/// collection the writer is creating fails with "page type must be collection page", seen in our
/// CI; #2817: a reader can decode a cache page the writer is recycling). Serialising costs little
/// here: one writer, short transactions, and readers that ask for a few hundred items at a time.
/// </para>
/// </summary>
public sealed partial class ReadingOutbox : IOutboxWriter, IOutboxReader, ISentHistory, IAsyncDisposable
{
    // Collection names are the on-disk format: "readings" and "events" predate the other lanes.
    internal const string ReadingsCollection = "readings";
    internal const string EventsCollection = "events";
    internal const string BillingCollection = "billing";
    internal const string ResultsCollection = "results";
    internal const string BatchesCollection = "batches";
    internal const string SentCollection = "sent";
    internal const string MetaCollection = "meta";

    private readonly OutboxOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _path;
    // Replaced by the writer loop when a failed write closed LiteDB's engine (it closes itself on an IOException).
    private OutboxStore _store;
    // Held around every LiteDB call (see the class remarks), never across an await. Also guards _batches.
    private readonly Lock _engine = new();
    private readonly Channel<WriteItem> _queue;
    private readonly Channel<ControlRequest> _control;
    private readonly Task _writer;
    private TaskCompletionSource _appended = NewSignal();
    private int _disposed;

    // Open batches by seq (under _engine); changed by the writer only after its commit succeeded.
    private readonly SortedDictionary<long, BatchInfo> _batches = [];

    // Written only by the writer loop; read by anyone through Volatile/Interlocked.
    private readonly long[] _counts = new long[OutboxLanes.Count];
    private long _sentCount;
    private long _lastSeq;
    private long _evictedTotal;
    private long _appendedTotal;
    private long _removedTotal;
    private long _committedBatches;
    private int _held; // items taken from the queue by the writer and not yet committed
    private bool _writeFailing;
    private string? _lastError;
    private bool _reopenNeeded;

    public ReadingOutbox(OutboxOptions options, TimeProvider? timeProvider = null, ILogger<ReadingOutbox>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;

        var full = System.IO.Path.GetFullPath(options.Path);
        var dir = System.IO.Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        _path = full;
        LiteDbPageCache.Bound(); // LiteDB's page cache otherwise ends at 13.6 MB; see the class
        _store = OpenOrRecover(full);
        LoadState(_store);

        _queue = Channel.CreateBounded<WriteItem>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _control = Channel.CreateUnbounded<ControlRequest>(new UnboundedChannelOptions { SingleReader = true });
        _writer = Task.Run(WriterLoopAsync);
        // "opened: N readings" first: tests and technicians read it (KillRestartTests).
        _logger.LogInformation("Outbox {Path} opened: {Readings} readings, {Events} events, {Billing} billing, {Results} results pending; {Batches} open batches, last seq {Seq}, {Sent} sent items kept",
            full, Count(OutboxLane.Readings), Count(OutboxLane.Events), Count(OutboxLane.Billing), Count(OutboxLane.Results), _batches.Count, _lastSeq, _sentCount);
    }

    /// <summary>Completes when the writer loop has stopped (after dispose, or on a fatal error).</summary>
    public Task Completion => _writer;

    /// <summary>Appends an interval reading (the Readings lane).</summary>
    public ValueTask AppendAsync(Reading reading, CancellationToken cancellationToken) =>
        AppendAsync(reading, OutboxLane.Readings, cancellationToken);

    /// <summary>Appends a reading to <paramref name="lane"/>: <see cref="OutboxLane.Readings"/> or <see cref="OutboxLane.Billing"/>.</summary>
    public ValueTask AppendAsync(Reading reading, OutboxLane lane, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reading);
        if (!lane.HoldsReadings()) throw new ArgumentOutOfRangeException(nameof(lane), lane, "A reading goes to the Readings or the Billing lane.");
        return Enqueue(new WriteItem(reading, lane, null), cancellationToken);
    }

    public ValueTask AppendAsync(MeterEvent meterEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(meterEvent);
        return Enqueue(new WriteItem(meterEvent, OutboxLane.Events, null), cancellationToken);
    }

    public ValueTask AppendMessageAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        message.Validate();
        return Enqueue(new WriteItem(message, OutboxLane.Results, null), cancellationToken);
    }

    /// <remarks>
    /// "Committed" means LiteDB's Commit() returned (in 5.0.21 it has written the transaction's pages
    /// into the -log, synchronously, on the writer thread) AND the writer has fsynced the -log
    /// (<see cref="OutboxStore.SyncLog"/>): the items survive kill -9 (OutboxKillTests) and a power cut.
    /// While writes fail (disk full), the returned task waits until the items are committed.
    /// </remarks>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await Enqueue(new WriteItem(null, OutboxLane.Readings, done), cancellationToken).ConfigureAwait(false);
        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public OutboxRecord[] PeekOldest(OutboxLane lane, int max, long afterId = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var store = Volatile.Read(ref _store);
        List<BsonDocument> docs;
        try
        {
            lock (_engine) docs = QueryAfter(store.Lane(lane), afterId, max);
        }
        catch (Exception) when (StoreUnavailable(store))
        {
            return []; // the writer is reopening the file after a failed write; the caller looks again later
        }
        return ToRecords(lane, docs);
    }

    public Task RemoveAsync(OutboxLane lane, IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0) return Task.CompletedTask;
        return SendControl(new ControlRequest(ControlKind.Remove) { Lane = lane, Ids = ids }, cancellationToken);
    }

    public OutboxBatch[] PeekBatches(OutboxLane lane, int maxBatches, Func<long, bool>? include = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatches);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var store = Volatile.Read(ref _store);
        var result = new List<OutboxBatch>();
        try
        {
            lock (_engine)
            {
                foreach (var b in _batches.Values)
                {
                    if (result.Count >= maxBatches) break;
                    if (b.Lane != lane || (include is not null && !include(b.Seq))) continue;
                    var docs = store.Lane(lane).Query()
                        .Where(LiteDB.Query.Between("_id", b.FirstId, b.LastId))
                        .OrderBy("_id").ToList();
                    result.Add(new OutboxBatch(b.Seq, lane, b.FirstId, b.LastId, ToRecords(lane, docs)));
                }
            }
        }
        catch (Exception) when (StoreUnavailable(store))
        {
            return [];
        }
        return [.. result];
    }

    public long[] OpenBatchSeqs()
    {
        lock (_engine) return [.. _batches.Keys];
    }

    public async Task<OutboxBatch[]> OpenBatchesAsync(OutboxLane lane, int batchSize, int maxBatches, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatches);
        if (lane == OutboxLane.Results) throw new ArgumentOutOfRangeException(nameof(lane), lane, "Results are published one message per item, without batches.");
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        // The writer reads the items and numbers them in one transaction (together with a finish queued just before,
        // so a publisher's wave costs one commit).
        var request = new ControlRequest(ControlKind.OpenBatches) { Lane = lane, BatchSize = batchSize, MaxBatches = maxBatches };
        await SendControlForResult(request, cancellationToken).ConfigureAwait(false);
        return request.Batches;
    }

    public Task<long[]> FinishBatchesAsync(IReadOnlyList<SeqRange> seqs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(seqs);
        if (seqs.Count == 0) return Task.FromResult(Array.Empty<long>());
        return SendControlForResult(new ControlRequest(ControlKind.Finish) { Finish = seqs }, cancellationToken);
    }

    public Task NextAppend() => Volatile.Read(ref _appended).Task;

    public OutboxStats GetStats()
    {
        TimeSpan? oldest = null;
        var openBatches = 0;
        if (Volatile.Read(ref _disposed) == 0)
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            long? oldestMs = null;
            var store = Volatile.Read(ref _store);
            try
            {
                foreach (var lane in OutboxLanes.ByPriority)
                {
                    List<BsonDocument> first;
                    lock (_engine) first = store.Lane(lane).Query().OrderBy("_id").Limit(1).ToList();
                    if (first.Count == 0) continue;
                    var t = OutboxDocuments.ItemTime(lane, first[0]);
                    oldestMs = oldestMs is null ? t : Math.Min(oldestMs.Value, t);
                }
            }
            catch (Exception) when (StoreUnavailable(store))
            {
                oldestMs = null; // unknown while the writer reopens the file
            }
            if (oldestMs is { } ms) oldest = TimeSpan.FromMilliseconds(Math.Max(0, now - ms));
        }
        lock (_engine) openBatches = _batches.Count;
        return new OutboxStats(
            Count(OutboxLane.Readings),
            Count(OutboxLane.Events),
            oldest,
            Interlocked.Read(ref _evictedTotal),
            Interlocked.Read(ref _appendedTotal),
            Interlocked.Read(ref _removedTotal),
            Interlocked.Read(ref _committedBatches),
            _queue.Reader.Count + Volatile.Read(ref _held),
            Volatile.Read(ref _writeFailing),
            Volatile.Read(ref _lastError),
            Count(OutboxLane.Billing),
            Count(OutboxLane.Results),
            Interlocked.Read(ref _sentCount),
            openBatches,
            Interlocked.Read(ref _lastSeq));
    }

    /// <summary>Commits everything queued, stops the writer and closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _queue.Writer.TryComplete();
        _control.Writer.TryComplete();
        try
        {
            await _writer.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Outbox writer failed while closing");
        }
        finally
        {
            CloseStore();
            _appended.TrySetResult();
        }
    }

    /// <summary>Checkpoints (so the -log is empty after a clean stop) and closes the file.</summary>
    private void CloseStore()
    {
        using var _ = _engine.EnterScope();
        var store = Volatile.Read(ref _store);
        try
        {
            if (!Volatile.Read(ref _reopenNeeded)) store.Checkpoint();
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Outbox checkpoint at close failed; the -log keeps the data and is replayed at the next start");
        }
        finally
        {
            store.Dispose();
        }
    }

    private long Count(OutboxLane lane) => Interlocked.Read(ref _counts[(int)lane]);

    /// <summary>The highest item id of <paramref name="lane"/> already in an open batch (0 when none). Caller holds _engine.</summary>
    private long LastBatchedId(OutboxLane lane)
    {
        long last = 0;
        foreach (var b in _batches.Values) if (b.Lane == lane) last = Math.Max(last, b.LastId);
        return last;
    }

    private static List<BsonDocument> QueryAfter(ILiteCollection<BsonDocument> col, long afterId, int max) =>
        col.Query().Where(LiteDB.Query.GT("_id", afterId)).OrderBy("_id").Limit(max).ToList();

    private static OutboxRecord[] ToRecords(OutboxLane lane, List<BsonDocument> docs)
    {
        var result = new OutboxRecord[docs.Count];
        for (var i = 0; i < docs.Count; i++) result[i] = OutboxDocuments.ToRecord(lane, docs[i]);
        return result;
    }

    /// <summary>
    /// Reads the counters, the open batches and the seq from a freshly opened store, and drops batches
    /// that hold no item any more: LiteDB restarts a collection's ids from its highest id at open (from 1
    /// when it is empty), so a stale range could otherwise capture new items.
    /// </summary>
    private void LoadState(OutboxStore store)
    {
        using var _ = _engine.EnterScope();
        foreach (var lane in OutboxLanes.ByPriority) Interlocked.Exchange(ref _counts[(int)lane], store.Lane(lane).LongCount());
        Interlocked.Exchange(ref _sentCount, store.SentCount());
        Interlocked.Exchange(ref _lastSeq, store.LastSeq());
        _batches.Clear();
        var stale = new List<long>();
        foreach (var doc in store.Batches.FindAll().ToList())
        {
            var b = OutboxDocuments.ToBatch(doc);
            var any = store.Lane(b.Lane).Exists(LiteDB.Query.Between("_id", b.FirstId, b.LastId));
            if (any) _batches[b.Seq] = b;
            else stale.Add(b.Seq);
        }
        if (stale.Count == 0) return;
        store.Db.BeginTrans();
        try
        {
            // Keep the seq counter even when the batch holding the highest seq goes.
            store.Meta.Upsert(new BsonDocument { ["_id"] = OutboxDocuments.SeqKey, ["v"] = Interlocked.Read(ref _lastSeq) });
            foreach (var seq in stale) store.Batches.Delete(seq);
            store.Db.Commit();
        }
        catch
        {
            try { store.Db.Rollback(); }
            catch (Exception) { /* closing anyway */ }
            throw;
        }
        store.SyncLog();
        _logger.LogInformation("Outbox dropped {Count} batches whose items were all evicted", stale.Count);
    }

    /// <summary>True when a read on <paramref name="store"/> may fail because the writer closed or replaced it.</summary>
    private bool StoreUnavailable(OutboxStore store) => !ReferenceEquals(store, Volatile.Read(ref _store)) || Volatile.Read(ref _reopenNeeded);

    private Task SendControl(ControlRequest request, CancellationToken cancellationToken) => SendControlForResult(request, cancellationToken);

    private Task<long[]> SendControlForResult(ControlRequest request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(!_control.Writer.TryWrite(request), this);
        return request.Done.Task.WaitAsync(cancellationToken);
    }

    private ValueTask Enqueue(WriteItem item, CancellationToken cancellationToken)
    {
        if (_queue.Writer.TryWrite(item)) return default;
        return EnqueueSlowAsync(item, cancellationToken);
    }

    private async ValueTask EnqueueSlowAsync(WriteItem item, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(ReadingOutbox));
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // The item itself is queued, not its BsonDocument: the writer builds the documents just before
    // inserting them, so they die young (queued documents survived into gen1/gen2 and cost 4-5x
    // more collections in the benchmark; see docs/BENCHMARKS.md).
    private readonly record struct WriteItem(object? Item, OutboxLane Lane, TaskCompletionSource? Flushed);

    private enum ControlKind
    {
        Remove,
        OpenBatches,
        Finish,
    }

    /// <summary>A write the publisher asks of the writer loop; its result is set after the commit is fsynced.</summary>
    private sealed class ControlRequest(ControlKind kind)
    {
        public ControlKind Kind { get; } = kind;

        public OutboxLane Lane { get; init; }

        public IReadOnlyCollection<long>? Ids { get; init; }

        public int BatchSize { get; init; }

        public int MaxBatches { get; init; }

        /// <summary>The batches opened (set with <see cref="Result"/>).</summary>
        public OutboxBatch[] Batches { get; set; } = [];

        public IReadOnlyList<SeqRange>? Finish { get; init; }

        /// <summary>Set inside the transaction; handed to <see cref="Done"/> once it is durable.</summary>
        public long[] Result { get; set; } = [];

        public TaskCompletionSource<long[]> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
