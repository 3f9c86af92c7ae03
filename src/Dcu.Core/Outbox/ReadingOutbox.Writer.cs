using System.Globalization;
using Dcu.Core.Model;
using LiteDB;
using Microsoft.Extensions.Logging;

namespace Dcu.Core.Outbox;

// The single writer loop: gathers queued appends and removes, commits them in one transaction,
// and applies the size bound. Everything in this file runs on the writer loop only.
public sealed partial class ReadingOutbox
{
    private Task<bool>? _queueWait;
    private Task<bool>? _controlWait;
    private readonly long[] _pendingEvicted = new long[OutboxLanes.Count];
    private long? _lastEvictionEventMs;
    private long? _truncateLogTo;
    private long _failingSince;
    private long _nextCheckpoint;

    private async Task WriterLoopAsync()
    {
        var incoming = new List<BsonDocument>[OutboxLanes.Count];
        for (var i = 0; i < incoming.Length; i++) incoming[i] = new List<BsonDocument>(i == (int)OutboxLane.Readings ? _options.BatchSize : 0);
        var flushes = new List<TaskCompletionSource>();
        var controls = new List<ControlRequest>();
        while (true)
        {
            var items = Gather(incoming, flushes, controls);
            if (items == 0 && flushes.Count == 0 && controls.Count == 0)
            {
                PruneSentByAge();
                if (!await WaitForWorkAsync().ConfigureAwait(false)) return;
                continue;
            }
            Volatile.Write(ref _held, items);

            // 1. Commit. A failed commit applied nothing: retry the same batch (held here, so the
            //    bounded queue fills and producers wait) until it goes through.
            var failures = 0;
            while (true)
            {
                try
                {
                    if (Volatile.Read(ref _reopenNeeded)) ReopenStore();
                    // Synchronous from BeginTrans to Commit: the transaction stays on this thread.
                    Commit(incoming, controls);
                    break;
                }
                catch (Exception ex)
                {
                    failures++;
                    // The failed Insert stamped ids on the documents; the rollback freed them.
                    foreach (var lane in incoming) foreach (var d in lane) d.Remove("_id");
                    TryReopenStore(); // so readers (the publisher) keep reading while we wait
                    if (GiveUp(ex, failures, flushes, controls)) throw;
                    await DelayAfterFailureAsync(ex, failures, "commit").ConfigureAwait(false);
                }
            }

            // 2. Make it durable. The commit happened, so only the fsync is retried: re-committing would duplicate.
            while (true)
            {
                try
                {
                    _store.SyncLog();
                    break;
                }
                catch (Exception ex)
                {
                    failures++;
                    if (GiveUp(ex, failures, flushes, controls)) throw;
                    await DelayAfterFailureAsync(ex, failures, "fsync of the -log").ConfigureAwait(false);
                }
            }
            EndFailingEpisode(failures);
            Volatile.Write(ref _held, 0);

            foreach (var f in flushes) f.TrySetResult();
            foreach (var c in controls) c.Done.TrySetResult(c.Result);
            if (items > 0) Interlocked.Exchange(ref _appended, NewSignal()).TrySetResult();
            foreach (var lane in incoming) lane.Clear();
            flushes.Clear();
            controls.Clear();

            MaybeCheckpoint();
            PruneSentByAge();
        }
    }

    /// <summary>While closing, stop retrying after a few attempts and fail the waiters.</summary>
    private bool GiveUp(Exception ex, int failures, List<TaskCompletionSource> flushes, List<ControlRequest> controls)
    {
        if (Volatile.Read(ref _disposed) == 0 || failures < 3) return false;
        _logger.LogError(ex, "Outbox closing while writes fail: {Count} queued items not committed", Volatile.Read(ref _held) + _queue.Reader.Count);
        foreach (var f in flushes) f.TrySetException(ex);
        foreach (var c in controls) c.Done.TrySetException(ex);
        return true;
    }

    /// <summary>Logs the first failure of an episode as an error (later ones at debug), exposes it in the stats, and waits the backoff.</summary>
    private async Task DelayAfterFailureAsync(Exception ex, int failures, string what)
    {
        var error = $"{what} failed: {ex.GetType().Name}: {ex.Message}";
        if (!Volatile.Read(ref _writeFailing))
        {
            _failingSince = _time.GetTimestamp();
            Volatile.Write(ref _lastError, error);
            Volatile.Write(ref _writeFailing, true);
            _logger.LogError(ex, "Outbox {What} failed; {Held} items kept queued (producers wait once {Capacity} are queued), retrying with backoff until it succeeds",
                what, Volatile.Read(ref _held), _options.QueueCapacity);
        }
        else
        {
            Volatile.Write(ref _lastError, error);
            _logger.LogDebug(ex, "Outbox {What} failed again (attempt {Attempt})", what, failures);
        }
        var delay = TimeSpan.FromMilliseconds(Math.Min(_options.WriteRetryMaxDelay.TotalMilliseconds, 100L << Math.Min(failures - 1, 12)));
        await Task.Delay(delay, _time).ConfigureAwait(false);
    }

    private void EndFailingEpisode(int failures)
    {
        if (!Volatile.Read(ref _writeFailing)) return;
        Volatile.Write(ref _writeFailing, false);
        Volatile.Write(ref _lastError, null);
        _logger.LogWarning("Outbox writes recovered after {Failures} failed attempts over {Duration}", failures, _time.GetElapsedTime(_failingSince));
    }

    /// <summary>Checkpoints (we turned LiteDB's automatic one off, see <see cref="OutboxStore"/>) once the -log is big.</summary>
    private void MaybeCheckpoint()
    {
        var store = _store;
        if (Volatile.Read(ref _reopenNeeded) || !store.CheckpointDue() || _time.GetTimestamp() < _nextCheckpoint) return;
        try
        {
            lock (_engine) store.Checkpoint();
        }
        catch (Exception ex)
        {
            // The -log is intact (LiteDB empties it only after the data file is synced); the data in
            // it is durable and replayed on open. Retry later; reopen now, LiteDB closed itself.
            _logger.LogError(ex, "Outbox checkpoint failed; the -log keeps the data, retrying in {Delay}", _options.WriteRetryMaxDelay);
            _nextCheckpoint = _time.GetTimestamp() + (long)(_options.WriteRetryMaxDelay.TotalSeconds * _time.TimestampFrequency);
            Volatile.Write(ref _reopenNeeded, true);
            TryReopenStore();
        }
    }

    private void TryReopenStore()
    {
        try
        {
            ReopenStore();
        }
        catch (Exception ex)
        {
            _logger.LogDebug(ex, "Outbox reopen failed; retrying with the next attempt");
        }
    }

    /// <summary>
    /// After a failed write LiteDB has closed its engine (EngineState.Handle on an IOException): close
    /// the store, cut off what the failed commit left in the -log, open the file again.
    /// </summary>
    private void ReopenStore()
    {
        using var _ = _engine.EnterScope();
        if (!Volatile.Read(ref _reopenNeeded)) return;
        var old = _store;
        try { old.Dispose(); }
        catch (Exception ex) { _logger.LogDebug(ex, "Closing the failed outbox store"); }
        if (_truncateLogTo is { } length)
        {
            OutboxStore.TruncateLog(old.LogPath, length);
            _truncateLogTo = null;
        }
        var store = OutboxStore.Open(_path);
        LoadState(store);
        Volatile.Write(ref _store, store);
        Volatile.Write(ref _reopenNeeded, false);
        _logger.LogInformation("Outbox {Path} reopened after a failed write", _path);
    }

    /// <summary>Takes up to BatchSize queued items (as documents, per lane) and the pending control requests; returns the item count.</summary>
    private int Gather(List<BsonDocument>[] incoming, List<TaskCompletionSource> flushes, List<ControlRequest> controls)
    {
        var taken = 0;
        while (taken < _options.BatchSize && _queue.Reader.TryRead(out var item))
        {
            if (item.Flushed is { } flushed)
            {
                flushes.Add(flushed);
                continue;
            }
            incoming[(int)item.Lane].Add(OutboxDocuments.From(item.Item!));
            taken++;
        }
        while (controls.Count < 256 && _control.Reader.TryRead(out var control)) controls.Add(control);
        return taken;
    }

    /// <summary>Waits until either channel has something or a history prune is due; false once both channels are completed and drained.</summary>
    private async Task<bool> WaitForWorkAsync()
    {
        var waits = new List<Task>(3);
        if (!_queue.Reader.Completion.IsCompleted) waits.Add(_queueWait ??= _queue.Reader.WaitToReadAsync().AsTask());
        if (!_control.Reader.Completion.IsCompleted) waits.Add(_controlWait ??= _control.Reader.WaitToReadAsync().AsTask());
        if (waits.Count == 0) return false;
        if (PruneDue() is { } prune) waits.Add(prune);
        await Task.WhenAny(waits).ConfigureAwait(false);
        if (_queueWait is { IsCompleted: true }) _queueWait = null;
        if (_controlWait is { IsCompleted: true }) _controlWait = null;
        return true;
    }

    private void Commit(List<BsonDocument>[] incoming, List<ControlRequest> controls)
    {
        var stored = new long[OutboxLanes.Count];
        for (var i = 0; i < stored.Length; i++) stored[i] = Interlocked.Read(ref _counts[i]);
        var evicted = new long[OutboxLanes.Count];   // stored items evicted, per lane
        var dropped = new long[OutboxLanes.Count];   // incoming items not stored, per lane
        long removed = 0;
        var sent = Interlocked.Read(ref _sentCount);
        var sentBefore = sent;
        var lastSeq = Interlocked.Read(ref _lastSeq);
        var seqBefore = lastSeq;
        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        BsonDocument? report = null;
        // Changes to the open batches, applied to _batches only once the commit succeeded.
        var opened = new List<BatchInfo>();
        var closed = new HashSet<long>();

        using var _ = _engine.EnterScope();
        var store = _store;
        var db = store.Db;
        var logBefore = store.LogLength();
        if (!db.BeginTrans()) throw new InvalidOperationException("A LiteDB transaction was already open on the outbox writer thread.");
        try
        {
            foreach (var c in controls)
            {
                switch (c.Kind)
                {
                    case ControlKind.Remove:
                        var col = store.Lane(c.Lane);
                        long n = 0;
                        foreach (var id in c.Ids!)
                        {
                            if (col.Delete(id)) n++;
                        }
                        stored[(int)c.Lane] -= n;
                        removed += n;
                        c.Result = [n];
                        break;
                    case ControlKind.OpenBatches:
                        c.Batches = OpenBatches(store, c.Lane, c.BatchSize, c.MaxBatches, opened, closed, ref lastSeq);
                        c.Result = [.. c.Batches.Select(b => b.Seq)];
                        break;
                    case ControlKind.Finish:
                        c.Result = FinishBatches(store, c.Finish!, opened, closed, stored, ref removed, ref sent, nowMs);
                        break;
                }
            }
            if (lastSeq != seqBefore) store.Meta.Upsert(new BsonDocument { ["_id"] = OutboxDocuments.SeqKey, ["v"] = lastSeq });

            // History bound by count: drop the oldest.
            if (_options.MaxSentItems >= 0 && sent > _options.MaxSentItems) sent -= TrimHistory(store, sent - _options.MaxSentItems);
            if (sent != sentBefore) SetSentCount(store, sent);

            // Size bound: evict the oldest of the lowest lane (stored, then incoming), then the next lane up.
            var over = -_options.MaxItems;
            for (var i = 0; i < stored.Length; i++) over += stored[i] + incoming[i].Count;
            var reportNow = false;
            if (over > 0 || _pendingEvicted.Sum() > 0)
            {
                reportNow = _lastEvictionEventMs is not { } last || nowMs - last >= (long)_options.EvictionEventInterval.TotalMilliseconds;
                if (reportNow) over++; // room for the eviction event itself
            }
            for (var p = OutboxLanes.ByPriority.Length - 1; p >= 0 && over > 0; p--)
            {
                var lane = OutboxLanes.ByPriority[p];
                var l = (int)lane;
                var (count, boundary) = EvictOldest(store.Lane(lane), Math.Min(over, stored[l]));
                evicted[l] = count;
                over -= count;
                if (count > 0) DropEvictedBatches(store, lane, boundary, opened, closed);
                dropped[l] = Math.Clamp(over, 0, incoming[l].Count);
                over -= dropped[l];
            }
            var pending = new long[OutboxLanes.Count];
            for (var i = 0; i < pending.Length; i++) pending[i] = _pendingEvicted[i] + evicted[i] + dropped[i];
            if (reportNow && pending.Sum() > 0)
            {
                var total = Interlocked.Read(ref _evictedTotal) + evicted.Sum() + dropped.Sum();
                var detail = string.Create(CultureInfo.InvariantCulture,
                    $"evicted {pending.Sum()} oldest items ({pending[(int)OutboxLane.Readings]} readings, {pending[(int)OutboxLane.Billing]} billing, {pending[(int)OutboxLane.Events]} events, {pending[(int)OutboxLane.Results]} results) to stay within {_options.MaxItems}; {total} evicted since start");
                report = OutboxDocuments.FromEvent(new MeterEvent(null, EventKinds.OutboxEviction, nowMs, detail));
            }

            for (var i = 0; i < incoming.Length; i++)
            {
                var docs = incoming[i];
                if (docs.Count > dropped[i]) store.Lane((OutboxLane)i).Insert(dropped[i] == 0 ? docs : docs.Skip((int)dropped[i]));
                if (i == (int)OutboxLane.Events && report is not null) store.Events.Insert(report);
            }
            db.Commit();
        }
        catch
        {
            try { db.Rollback(); }
            catch (Exception) { /* the engine closed itself (IOException); the reopen discards the transaction */ }
            LiteDbTransactions.AbandonAll(db); // this engine is discarded: its leftovers must not be finalized (LiteDB#2828)
            // Commit() threw, so the transaction is not confirmed: whatever of it reached the -log is cut off before reopening.
            _truncateLogTo = logBefore;
            Volatile.Write(ref _reopenNeeded, true);
            foreach (var c in controls) (c.Result, c.Batches) = ([], []);
            throw;
        }

        foreach (var b in opened) if (!closed.Contains(b.Seq)) _batches[b.Seq] = b;
        foreach (var seq in closed) _batches.Remove(seq);

        var evictedNow = evicted.Sum() + dropped.Sum();
        if (report is not null)
        {
            Array.Clear(_pendingEvicted);
            _lastEvictionEventMs = nowMs;
        }
        else
        {
            for (var i = 0; i < _pendingEvicted.Length; i++) _pendingEvicted[i] += evicted[i] + dropped[i];
        }
        if (evictedNow > 0) _logger.LogWarning("Outbox full: evicted {Count} oldest items", evictedNow);

        long appended = 0;
        for (var i = 0; i < stored.Length; i++)
        {
            var added = incoming[i].Count - dropped[i] + (i == (int)OutboxLane.Events && report is not null ? 1 : 0);
            appended += added;
            Interlocked.Exchange(ref _counts[i], stored[i] - evicted[i] + added);
        }
        Interlocked.Exchange(ref _sentCount, sent);
        Interlocked.Exchange(ref _lastSeq, lastSeq);
        Interlocked.Add(ref _evictedTotal, evictedNow);
        Interlocked.Add(ref _appendedTotal, appended);
        Interlocked.Add(ref _removedTotal, removed);
        Interlocked.Increment(ref _committedBatches);
    }

    /// <summary>Reads the oldest unbatched items of a lane and numbers them as new batches (inside the open transaction).</summary>
    private OutboxBatch[] OpenBatches(OutboxStore store, OutboxLane lane, int batchSize, int maxBatches, List<BatchInfo> opened, HashSet<long> closed, ref long lastSeq)
    {
        var after = LastBatchedId(lane);
        foreach (var b in opened) if (b.Lane == lane && !closed.Contains(b.Seq)) after = Math.Max(after, b.LastId);
        var records = ToRecords(lane, QueryAfter(store.Lane(lane), after, checked(batchSize * maxBatches)));
        var batches = new OutboxBatch[(records.Length + batchSize - 1) / batchSize];
        for (var i = 0; i < batches.Length; i++)
        {
            var items = records.AsSpan(i * batchSize, Math.Min(batchSize, records.Length - (i * batchSize))).ToArray();
            var info = new BatchInfo(++lastSeq, lane, items[0].Id, items[^1].Id);
            store.Batches.Insert(OutboxDocuments.BatchDoc(info.Seq, lane, info.FirstId, info.LastId));
            opened.Add(info);
            batches[i] = new OutboxBatch(info.Seq, lane, info.FirstId, info.LastId, items);
        }
        return batches;
    }

    /// <summary>Finishes open batches (inside the open transaction): their items leave the lane for the sent history.</summary>
    private long[] FinishBatches(OutboxStore store, IReadOnlyList<SeqRange> ranges, List<BatchInfo> opened, HashSet<long> closed,
        long[] stored, ref long removed, ref long sent, long nowMs)
    {
        var finished = new List<long>();
        foreach (var b in _batches.Values.Concat(opened))
        {
            if (closed.Contains(b.Seq) || !InAny(ranges, b.Seq)) continue;
            var col = store.Lane(b.Lane);
            var range = LiteDB.Query.Between("_id", b.FirstId, b.LastId);
            if (_options.KeepsHistory)
            {
                var docs = col.Query().Where(range).ToList();
                if (docs.Count > 0) store.Sent.Insert(OutboxDocuments.HistoryBatch(b.Lane, b.Seq, nowMs, docs));
                sent += docs.Count;
            }
            var n = col.DeleteMany(range);
            stored[(int)b.Lane] -= n;
            removed += n;
            store.Batches.Delete(b.Seq);
            closed.Add(b.Seq);
            finished.Add(b.Seq);
        }
        return [.. finished];
    }

    private static bool InAny(IReadOnlyList<SeqRange> ranges, long seq)
    {
        foreach (var r in ranges) if (r.Contains(seq)) return true;
        return false;
    }

    /// <summary>Deletes the records of batches whose items were all evicted (ids up to <paramref name="boundary"/>).</summary>
    private void DropEvictedBatches(OutboxStore store, OutboxLane lane, long boundary, List<BatchInfo> opened, HashSet<long> closed)
    {
        foreach (var b in _batches.Values.Concat(opened))
        {
            if (b.Lane != lane || b.LastId > boundary || closed.Contains(b.Seq)) continue;
            store.Batches.Delete(b.Seq);
            closed.Add(b.Seq);
        }
    }

    /// <summary>Deletes the <paramref name="count"/> oldest documents of a collection (inside the open transaction); returns how many and the highest id deleted.</summary>
    private static (long Count, long Boundary) EvictOldest(ILiteCollection<BsonDocument> col, long count)
    {
        if (count <= 0) return (0, 0);
        var boundary = col.Query().OrderBy("_id").Select("_id").Offset((int)Math.Min(count - 1, int.MaxValue)).Limit(1).ToList();
        if (boundary.Count == 0)
        {
            // Fewer than count stored (should not happen: counts are exact): take the last one.
            boundary = col.Query().OrderByDescending("_id").Select("_id").Limit(1).ToList();
            if (boundary.Count == 0) return (0, 0);
        }
        var last = boundary[0]["_id"];
        return (col.DeleteMany(LiteDB.Query.LTE("_id", last)), last.AsInt64);
    }
}
