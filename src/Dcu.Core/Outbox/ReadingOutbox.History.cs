using LiteDB;
using Microsoft.Extensions.Logging;

namespace Dcu.Core.Outbox;

// The sent history, one document per finished batch: resend (any thread), age pruning and the count bound (writer loop only).
public sealed partial class ReadingOutbox
{
    private const int HistoryPage = 16; // batches (of up to BatchSize items each) read at a time
    private const long DayMs = 86_400_000;
    private Task? _pruneWait;

    public async Task<int> ResendAsync(SentQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        long after = 0;
        var queued = 0;
        var items = new List<WriteItem>();
        while (true)
        {
            // One page at a time under the lock (never across the awaits below), so the writer keeps going.
            var store = Volatile.Read(ref _store);
            List<BsonDocument> page;
            try
            {
                lock (_engine) page = QueryAfter(store.Sent, after, HistoryPage);
            }
            catch (Exception) when (StoreUnavailable(store))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), _time, cancellationToken).ConfigureAwait(false);
                continue; // the writer is reopening the file; the page is read again
            }
            if (page.Count == 0) return queued;
            after = page[^1]["_id"].AsInt64;
            items.Clear();
            foreach (var batch in page)
            {
                if (query.Seqs is { } seqs && !seqs.Contains(batch["s"].AsInt64)) continue;
                var (lane, docs) = OutboxDocuments.HistoryItems(batch);
                foreach (var doc in docs)
                {
                    if (query.Seqs is null && !Matches(query, doc)) continue;
                    object item = lane == OutboxLane.Events ? OutboxDocuments.ToEvent(doc) : OutboxDocuments.ToReading(doc);
                    items.Add(new WriteItem(item, lane, null));
                }
            }
            foreach (var item in items) await Enqueue(item, cancellationToken).ConfigureAwait(false);
            queued += items.Count;
        }
    }

    private static bool Matches(SentQuery query, BsonDocument item)
    {
        var t = item["t"].AsInt64;
        if (t < query.FromUnixMs || t > query.ToUnixMs) return false;
        if (query.Meters is null) return true;
        return item.TryGetValue("m", out var m) && m.IsString && query.Meters.Contains(m.AsString);
    }

    /// <summary>A task for the writer's wait that completes when the next age prune is due (null when there is nothing to prune).</summary>
    private Task? PruneDue()
    {
        if (!_options.KeepsHistory || Interlocked.Read(ref _sentCount) == 0) return null;
        return _pruneWait ??= Task.Delay(_options.SentPruneInterval, _time);
    }

    /// <summary>Drops history items finished more than KeepSentDays ago, in their own transaction (writer loop only).</summary>
    private void PruneSentByAge()
    {
        _ = PruneDue(); // starts the timer under steady load too, when the writer never idles
        if (_pruneWait is not { IsCompleted: true }) return;
        _pruneWait = null;
        if (Volatile.Read(ref _reopenNeeded) || Interlocked.Read(ref _sentCount) == 0) return;
        var cutoff = _time.GetUtcNow().ToUnixTimeMilliseconds() - (_options.KeepSentDays * DayMs);
        long pruned = 0;
        using (_engine.EnterScope())
        {
            var store = _store;
            var logBefore = store.LogLength();
            try
            {
                if (!store.Db.BeginTrans()) throw new InvalidOperationException("A LiteDB transaction was already open on the outbox writer thread.");
                // Batches enter the history in finishing order, so the oldest "a" are the lowest ids.
                for (var round = 0; round < 100; round++) // at most 1,600 batches a prune: the rest at the next one
                {
                    var page = store.Sent.Query().OrderBy("_id").Limit(HistoryPage).ToList();
                    var old = 0;
                    for (; old < page.Count && page[old]["a"].AsInt64 < cutoff; old++) pruned += page[old]["c"].AsInt32;
                    if (old == 0) break;
                    store.Sent.DeleteMany(LiteDB.Query.LTE("_id", page[old - 1]["_id"]));
                    if (old < page.Count) break;
                }
                if (pruned > 0) SetSentCount(store, Interlocked.Read(ref _sentCount) - pruned);
                store.Db.Commit();
                if (pruned > 0) store.SyncLog();
            }
            catch (Exception ex)
            {
                try { store.Db.Rollback(); }
                catch (Exception) { /* the engine closed itself; the reopen discards the transaction */ }
                _truncateLogTo = logBefore;
                Volatile.Write(ref _reopenNeeded, true);
                _logger.LogError(ex, "Outbox pruning of the sent history failed; retrying at the next prune");
                return;
            }
        }
        if (pruned == 0) return;
        Interlocked.Add(ref _sentCount, -pruned);
        _logger.LogDebug("Outbox pruned {Count} sent items older than {Days} days", pruned, _options.KeepSentDays);
    }

    /// <summary>Drops the <paramref name="excess"/> oldest history items (inside the writer's open transaction): whole batches, then the oldest items of the next one.</summary>
    private static long TrimHistory(OutboxStore store, long excess)
    {
        long dropped = 0;
        while (dropped < excess)
        {
            var page = store.Sent.Query().OrderBy("_id").Limit(HistoryPage).ToList();
            if (page.Count == 0) break;
            foreach (var batch in page)
            {
                var count = batch["c"].AsInt32;
                if (count <= excess - dropped)
                {
                    store.Sent.Delete(batch["_id"]);
                    dropped += count;
                    continue;
                }
                var cut = (int)(excess - dropped);
                batch["i"] = new BsonArray(batch["i"].AsArray.Skip(cut));
                batch["c"] = count - cut;
                store.Sent.Update(batch);
                dropped += cut;
                break;
            }
        }
        return dropped;
    }

    /// <summary>Keeps the history's item count in the meta collection (inside the open transaction), so opening needs no scan of the history.</summary>
    private static void SetSentCount(OutboxStore store, long count) =>
        store.Meta.Upsert(new BsonDocument { ["_id"] = OutboxDocuments.SentKey, ["v"] = count });
}
