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

    private async Task WriterLoopAsync()
    {
        var readings = new List<BsonDocument>(_options.BatchSize);
        var events = new List<BsonDocument>();
        var flushes = new List<TaskCompletionSource>();
        var removes = new List<RemoveRequest>();
        var failures = 0;
        while (true)
        {
            Gather(readings, events, flushes, removes);
            if (readings.Count == 0 && events.Count == 0 && flushes.Count == 0 && removes.Count == 0)
            {
                if (!await WaitForWorkAsync().ConfigureAwait(false)) return;
                continue;
            }

            while (true)
            {
                try
                {
                    // Synchronous from BeginTrans to Commit: the transaction stays on this thread.
                    Commit(readings, events, removes);
                    failures = 0;
                    break;
                }
                catch (Exception ex)
                {
                    failures++;
                    _logger.LogError(ex, "Outbox commit failed (attempt {Attempt}); retrying", failures);
                    // The failed Insert stamped ids on the documents; the rollback freed them.
                    foreach (var d in readings) d.Remove("_id");
                    foreach (var d in events) d.Remove("_id");
                    if (Volatile.Read(ref _disposed) != 0 && failures >= 3)
                    {
                        foreach (var f in flushes) f.TrySetException(ex);
                        foreach (var r in removes) r.Done.TrySetException(ex);
                        throw;
                    }
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(30_000, 100 << Math.Min(failures, 9))), _time).ConfigureAwait(false);
                }
            }

            foreach (var f in flushes) f.TrySetResult();
            foreach (var r in removes) r.Done.TrySetResult();
            if (readings.Count + events.Count > 0) Interlocked.Exchange(ref _appended, NewSignal()).TrySetResult();
            readings.Clear();
            events.Clear();
            flushes.Clear();
            removes.Clear();
        }
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

        if (!_db.BeginTrans()) throw new InvalidOperationException("A LiteDB transaction was already open on the outbox writer thread.");
        try
        {
            foreach (var remove in removes)
            {
                var col = Collection(remove.Lane);
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
                evictedReadings = EvictOldest(_readings, Math.Min(over, storedReadings));
                over -= evictedReadings;
                droppedReadings = Math.Clamp(over, 0, readings.Count);
                over -= droppedReadings;
                if (over > 0) evictedEvents = EvictOldest(_events, Math.Min(over, storedEvents));
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

            if (events.Count > droppedEvents) _events.Insert(droppedEvents == 0 ? events : events.Skip((int)droppedEvents));
            if (report is not null) _events.Insert(report);
            if (readings.Count > droppedReadings) _readings.Insert(droppedReadings == 0 ? readings : readings.Skip((int)droppedReadings));
            _db.Commit();
        }
        catch
        {
            _db.Rollback();
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
