using System.Threading.Channels;
using Dcu.Core.Model;
using LiteDB;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Core.Outbox;

/// <summary>
/// The durable, bounded outbox over one LiteDB file (opened once, <c>Connection=direct</c>).
/// <para>
/// Writes: producers queue items into a bounded channel; ONE writer loop takes up to
/// <see cref="OutboxOptions.BatchSize"/> of them and commits them in one transaction
/// (BeginTrans .. Insert .. Commit, all synchronous on the loop's current thread, no await
/// inside, because LiteDB binds a transaction to its thread).
/// </para>
/// <para>
/// Removes are routed through the same writer loop (an unbounded side channel, merged into the
/// next transaction) rather than done from the publisher's thread. That keeps every write
/// transaction on one logical writer, so there is never write-lock contention between a batch
/// insert and a delete, and the per-lane counts used by the size bound are maintained in one
/// place. Reads (<see cref="PeekOldest"/>, <see cref="GetStats"/>) are single auto-transaction
/// queries, materialised with ToList() on the calling thread.
/// </para>
/// <para>
/// Every call into the engine holds one lock: LiteDB 5.0.21 is meant to allow reads
/// beside a writer, but it has races there that break a read (litedb-org/LiteDB#2792: a query on a
/// collection the writer is creating fails with "page type must be collection page", seen in our
/// CI; #2817: a reader can decode a cache page the writer is recycling). Serialising costs little
/// here: one writer, short transactions, and readers that ask for a few hundred items at a time.
/// </para>
/// </summary>
public sealed partial class ReadingOutbox : IOutboxWriter, IOutboxReader, IAsyncDisposable
{
    internal const string ReadingsCollection = "readings";
    internal const string EventsCollection = "events";

    private readonly OutboxOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _path;
    // Replaced by the writer loop when a failed write closed LiteDB's engine (it closes itself on an IOException).
    private OutboxStore _store;
    // Held around every LiteDB call (see the class remarks), never across an await.
    private readonly Lock _engine = new();
    private readonly Channel<WriteItem> _queue;
    private readonly Channel<RemoveRequest> _removes;
    private readonly Task _writer;
    private TaskCompletionSource _appended = NewSignal();
    private int _disposed;

    // Written only by the writer loop; read by anyone through Volatile/Interlocked.
    private long _readingCount;
    private long _eventCount;
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
        _readingCount = _store.Readings.LongCount();
        _eventCount = _store.Events.LongCount();

        _queue = Channel.CreateBounded<WriteItem>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _removes = Channel.CreateUnbounded<RemoveRequest>(new UnboundedChannelOptions { SingleReader = true });
        _writer = Task.Run(WriterLoopAsync);
        _logger.LogInformation("Outbox {Path} opened: {Readings} readings, {Events} events pending", full, _readingCount, _eventCount);
    }

    /// <summary>Completes when the writer loop has stopped (after dispose, or on a fatal error).</summary>
    public Task Completion => _writer;

    public ValueTask AppendAsync(Reading reading, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reading);
        return Enqueue(new WriteItem(reading, OutboxLane.Readings, null), cancellationToken);
    }

    public ValueTask AppendAsync(MeterEvent meterEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(meterEvent);
        return Enqueue(new WriteItem(meterEvent, OutboxLane.Events, null), cancellationToken);
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
            lock (_engine)
            {
                docs = Collection(store, lane).Query()
                    .Where(LiteDB.Query.GT("_id", afterId))
                    .OrderBy("_id")
                    .Limit(max)
                    .ToList();
            }
        }
        catch (Exception) when (StoreUnavailable(store))
        {
            return []; // the writer is reopening the file after a failed write; the caller looks again later
        }
        var result = new OutboxRecord[docs.Count];
        for (var i = 0; i < docs.Count; i++) result[i] = OutboxDocuments.ToRecord(lane, docs[i]);
        return result;
    }

    public Task RemoveAsync(OutboxLane lane, IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0) return Task.CompletedTask;
        var request = new RemoveRequest(lane, ids);
        ObjectDisposedException.ThrowIf(!_removes.Writer.TryWrite(request), this);
        return request.Done.Task.WaitAsync(cancellationToken);
    }

    public Task NextAppend() => Volatile.Read(ref _appended).Task;

    public OutboxStats GetStats()
    {
        TimeSpan? oldest = null;
        if (Volatile.Read(ref _disposed) == 0)
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            long? oldestMs = null;
            var store = Volatile.Read(ref _store);
            try
            {
                foreach (var lane in (ReadOnlySpan<OutboxLane>)[OutboxLane.Events, OutboxLane.Readings])
                {
                    List<BsonDocument> first;
                    lock (_engine) first = Collection(store, lane).Query().OrderBy("_id").Limit(1).ToList();
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
        return new OutboxStats(
            Interlocked.Read(ref _readingCount),
            Interlocked.Read(ref _eventCount),
            oldest,
            Interlocked.Read(ref _evictedTotal),
            Interlocked.Read(ref _appendedTotal),
            Interlocked.Read(ref _removedTotal),
            Interlocked.Read(ref _committedBatches),
            _queue.Reader.Count + Volatile.Read(ref _held),
            Volatile.Read(ref _writeFailing),
            Volatile.Read(ref _lastError));
    }

    /// <summary>Commits everything queued, stops the writer and closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _queue.Writer.TryComplete();
        _removes.Writer.TryComplete();
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

    private static ILiteCollection<BsonDocument> Collection(OutboxStore store, OutboxLane lane) => lane == OutboxLane.Events ? store.Events : store.Readings;

    /// <summary>True when a read on <paramref name="store"/> may fail because the writer closed or replaced it.</summary>
    private bool StoreUnavailable(OutboxStore store) => !ReferenceEquals(store, Volatile.Read(ref _store)) || Volatile.Read(ref _reopenNeeded);

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

    private sealed record RemoveRequest(OutboxLane Lane, IReadOnlyCollection<long> Ids)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
