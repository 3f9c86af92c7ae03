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
    private Task<bool>? _removeWait;
    private long _pendingEvictedReadings;
    private long _pendingEvictedEvents;
    private long? _lastEvictionEventMs;
    private long? _truncateLogTo;
    private long _failingSince;
    private long _nextCheckpoint;

    private async Task WriterLoopAsync()
    {
        var readings = new List<BsonDocument>(_options.BatchSize);
        var events = new List<BsonDocument>();
        var flushes = new List<TaskCompletionSource>();
        var removes = new List<RemoveRequest>();
        while (true)
        {
            Gather(readings, events, flushes, removes);
            if (readings.Count == 0 && events.Count == 0 && flushes.Count == 0 && removes.Count == 0)
            {
                if (!await WaitForWorkAsync().ConfigureAwait(false)) return;
                continue;
            }
            Volatile.Write(ref _held, readings.Count + events.Count);

            // 1. Commit. A failed commit applied nothing: retry the same batch (held here, so the
            //    bounded queue fills and producers wait) until it goes through.
            var failures = 0;
            while (true)
            {
                try
                {
                    if (Volatile.Read(ref _reopenNeeded)) ReopenStore();
                    // Synchronous from BeginTrans to Commit: the transaction stays on this thread.
                    Commit(readings, events, removes);
                    break;
                }
                catch (Exception ex)
                {
                    failures++;
                    // The failed Insert stamped ids on the documents; the rollback freed them.
                    foreach (var d in readings) d.Remove("_id");
                    foreach (var d in events) d.Remove("_id");
                    TryReopenStore(); // so readers (the publisher) keep reading while we wait
                    if (GiveUp(ex, failures, flushes, removes)) throw;
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
                    if (GiveUp(ex, failures, flushes, removes)) throw;
                    await DelayAfterFailureAsync(ex, failures, "fsync of the -log").ConfigureAwait(false);
                }
            }
            EndFailingEpisode(failures);
            Volatile.Write(ref _held, 0);

            foreach (var f in flushes) f.TrySetResult();
            foreach (var r in removes) r.Done.TrySetResult();
            if (readings.Count + events.Count > 0) Interlocked.Exchange(ref _appended, NewSignal()).TrySetResult();
            readings.Clear();
            events.Clear();
            flushes.Clear();
            removes.Clear();

            MaybeCheckpoint();
        }
    }

    /// <summary>While closing, stop retrying after a few attempts and fail the waiters.</summary>
    private bool GiveUp(Exception ex, int failures, List<TaskCompletionSource> flushes, List<RemoveRequest> removes)
    {
        if (Volatile.Read(ref _disposed) == 0 || failures < 3) return false;
        _logger.LogError(ex, "Outbox closing while writes fail: {Count} queued items not committed", Volatile.Read(ref _held) + _queue.Reader.Count);
        foreach (var f in flushes) f.TrySetException(ex);
        foreach (var r in removes) r.Done.TrySetException(ex);
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
        Interlocked.Exchange(ref _readingCount, store.Readings.LongCount());
        Interlocked.Exchange(ref _eventCount, store.Events.LongCount());
        Volatile.Write(ref _store, store);
        Volatile.Write(ref _reopenNeeded, false);
        _logger.LogInformation("Outbox {Path} reopened after a failed write", _path);
    }

    private void Gather(List<BsonDocument> readings, List<BsonDocument> events, List<TaskCompletionSource> flushes, List<RemoveRequest> removes)
    {
        var taken = 0;
        while (taken < _options.BatchSize && _queue.Reader.TryRead(out var item))
        {
            if (item.Flushed is { } flushed)
            {
                flushes.Add(flushed);
                continue;
            }
            if (item.Item is Reading reading) readings.Add(OutboxDocuments.FromReading(reading));
            else events.Add(OutboxDocuments.FromEvent((MeterEvent)item.Item!));
            taken++;
        }
        while (removes.Count < 256 && _removes.Reader.TryRead(out var remove)) removes.Add(remove);
    }

    /// <summary>Waits until either channel has something; false once both are completed and drained.</summary>
    private async Task<bool> WaitForWorkAsync()
    {
        var waits = new List<Task>(2);
        if (!_queue.Reader.Completion.IsCompleted) waits.Add(_queueWait ??= _queue.Reader.WaitToReadAsync().AsTask());
        if (!_removes.Reader.Completion.IsCompleted) waits.Add(_removeWait ??= _removes.Reader.WaitToReadAsync().AsTask());
        if (waits.Count == 0) return false;
        await Task.WhenAny(waits).ConfigureAwait(false);
        if (_queueWait is { IsCompleted: true }) _queueWait = null;
        if (_removeWait is { IsCompleted: true }) _removeWait = null;
        return true;
    }

    private void Commit(List<BsonDocument> readings, List<BsonDocument> events, List<RemoveRequest> removes)
    {
        var storedReadings = Interlocked.Read(ref _readingCount);
        var storedEvents = Interlocked.Read(ref _eventCount);
        long removedReadings = 0, removedEvents = 0;
        long evictedReadings = 0, evictedEvents = 0, droppedReadings = 0, droppedEvents = 0;
        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        BsonDocument? report = null;

        using var _ = _engine.EnterScope();
        var store = _store;
        var db = store.Db;
        var logBefore = store.LogLength();
        if (!db.BeginTrans()) throw new InvalidOperationException("A LiteDB transaction was already open on the outbox writer thread.");
        try
        {
            foreach (var remove in removes)
            {
                var col = Collection(store, remove.Lane);
                long n = 0;
                foreach (var id in remove.Ids)
                {
                    if (col.Delete(id)) n++;
                }
                if (remove.Lane == OutboxLane.Events) removedEvents += n;
                else removedReadings += n;
            }
            storedReadings -= removedReadings;
            storedEvents -= removedEvents;

            // Size bound: evict oldest readings (stored, then incoming), then oldest events.
            var over = storedReadings + storedEvents + readings.Count + events.Count - _options.MaxItems;
            var reportNow = false;
            if (over > 0 || _pendingEvictedReadings + _pendingEvictedEvents > 0)
            {
                reportNow = _lastEvictionEventMs is not { } last || nowMs - last >= (long)_options.EvictionEventInterval.TotalMilliseconds;
                if (reportNow) over++; // room for the eviction event itself
            }
            if (over > 0)
            {
                evictedReadings = EvictOldest(store.Readings, Math.Min(over, storedReadings));
                over -= evictedReadings;
                droppedReadings = Math.Clamp(over, 0, readings.Count);
                over -= droppedReadings;
                if (over > 0) evictedEvents = EvictOldest(store.Events, Math.Min(over, storedEvents));
                over -= evictedEvents;
                droppedEvents = Math.Clamp(over, 0, events.Count);
            }
            var pendingReadings = _pendingEvictedReadings + evictedReadings + droppedReadings;
            var pendingEvents = _pendingEvictedEvents + evictedEvents + droppedEvents;
            if (reportNow && pendingReadings + pendingEvents > 0)
            {
                var total = Interlocked.Read(ref _evictedTotal) + evictedReadings + droppedReadings + evictedEvents + droppedEvents;
                var detail = string.Create(CultureInfo.InvariantCulture,
                    $"evicted {pendingReadings + pendingEvents} oldest items ({pendingReadings} readings, {pendingEvents} events) to stay within {_options.MaxItems}; {total} evicted since start");
                report = OutboxDocuments.FromEvent(new MeterEvent(null, EventKinds.OutboxEviction, nowMs, detail));
            }

            if (events.Count > droppedEvents) store.Events.Insert(droppedEvents == 0 ? events : events.Skip((int)droppedEvents));
            if (report is not null) store.Events.Insert(report);
            if (readings.Count > droppedReadings) store.Readings.Insert(droppedReadings == 0 ? readings : readings.Skip((int)droppedReadings));
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
            throw;
        }

        var evicted = evictedReadings + evictedEvents + droppedReadings + droppedEvents;
        if (report is not null)
        {
            _pendingEvictedReadings = 0;
            _pendingEvictedEvents = 0;
            _lastEvictionEventMs = nowMs;
        }
        else
        {
            _pendingEvictedReadings += evictedReadings + droppedReadings;
            _pendingEvictedEvents += evictedEvents + droppedEvents;
        }
        if (evicted > 0) _logger.LogWarning("Outbox full: evicted {Count} oldest items", evicted);

        var appended = readings.Count - droppedReadings + events.Count - droppedEvents + (report is null ? 0 : 1);
        Interlocked.Exchange(ref _readingCount, storedReadings - evictedReadings + readings.Count - droppedReadings);
        Interlocked.Exchange(ref _eventCount, storedEvents - evictedEvents + events.Count - droppedEvents + (report is null ? 0 : 1));
        Interlocked.Add(ref _evictedTotal, evicted);
        Interlocked.Add(ref _appendedTotal, appended);
        Interlocked.Add(ref _removedTotal, removedReadings + removedEvents);
        Interlocked.Increment(ref _committedBatches);
    }

    /// <summary>Deletes the <paramref name="count"/> oldest documents of a collection (inside the open transaction).</summary>
    private static long EvictOldest(ILiteCollection<BsonDocument> col, long count)
    {
        if (count <= 0) return 0;
        var boundary = col.Query().OrderBy("_id").Select("_id").Offset((int)Math.Min(count - 1, int.MaxValue)).Limit(1).ToList();
        if (boundary.Count == 0) return 0;
        return col.DeleteMany(LiteDB.Query.LTE("_id", boundary[0]["_id"]));
    }
}
