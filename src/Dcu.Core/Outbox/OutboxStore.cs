using LiteDB;
using Microsoft.Win32.SafeHandles;

namespace Dcu.Core.Outbox;

/// <summary>
/// One open LiteDB outbox file (<c>Connection=direct</c>) and what LiteDB 5.0.21 does not do for us:
/// <list type="bullet">
/// <item><b>fsync of the -log after a commit.</b> In 5.0.21, <c>Commit()</c> writes the transaction's
/// pages into the -log synchronously (DiskService.WriteLogDisk: Stream.Write on the committing thread)
/// but never flushes them to the device: they sit in the OS page cache. That survives kill -9 (the
/// torture test shows it) but not a power cut. <see cref="SyncLog"/> fsyncs the -log through a handle
/// of our own (fsync is per file, not per descriptor), once per batch.</item>
/// <item><b>Checkpoints under our control.</b> The CHECKPOINT pragma is set to 0 and the writer calls
/// <see cref="Checkpoint"/> itself. A LiteDB auto-checkpoint runs inside <c>Commit()</c> after the
/// transaction is confirmed, so a failure there (disk full while growing the data file) would throw
/// from a commit that did happen. With our own checkpoints, a throwing <c>Commit()</c> means the
/// transaction is not confirmed, and whatever part of it reached the -log can be cut off
/// (<see cref="TruncateLog"/>) before reopening.</item>
/// </list>
/// </summary>
internal sealed class OutboxStore : IDisposable
{
    /// <summary>Checkpoint once the -log holds more than this many 8 KiB pages (LiteDB's own default is 1000).</summary>
    internal const long CheckpointPages = 1000;

    private SafeFileHandle? _log;

    private OutboxStore(string path, LiteDatabase db)
    {
        Path = path;
        LogPath = LogPathOf(path);
        Db = db;
        Readings = db.GetCollection(ReadingOutbox.ReadingsCollection, BsonAutoId.Int64);
        Events = db.GetCollection(ReadingOutbox.EventsCollection, BsonAutoId.Int64);
        Billing = db.GetCollection(ReadingOutbox.BillingCollection, BsonAutoId.Int64);
        Results = db.GetCollection(ReadingOutbox.ResultsCollection, BsonAutoId.Int64);
        Batches = db.GetCollection(ReadingOutbox.BatchesCollection, BsonAutoId.Int64);
        Sent = db.GetCollection(ReadingOutbox.SentCollection, BsonAutoId.Int64);
        Meta = db.GetCollection(ReadingOutbox.MetaCollection, BsonAutoId.Int64);
    }

    public string Path { get; }

    public string LogPath { get; }

    public LiteDatabase Db { get; }

    public ILiteCollection<BsonDocument> Readings { get; }

    public ILiteCollection<BsonDocument> Events { get; }

    public ILiteCollection<BsonDocument> Billing { get; }

    public ILiteCollection<BsonDocument> Results { get; }

    /// <summary>Open numbered batches (see <see cref="OutboxBatch"/>).</summary>
    public ILiteCollection<BsonDocument> Batches { get; }

    /// <summary>The sent history: one document per finished batch, oldest first.</summary>
    public ILiteCollection<BsonDocument> Sent { get; }

    /// <summary>Small keyed values: the last batch seq.</summary>
    public ILiteCollection<BsonDocument> Meta { get; }

    public ILiteCollection<BsonDocument> Lane(OutboxLane lane) => lane switch
    {
        OutboxLane.Results => Results,
        OutboxLane.Events => Events,
        OutboxLane.Billing => Billing,
        _ => Readings,
    };

    /// <summary>The last seq handed out (0 when none), from the meta document and the open batches.</summary>
    public long LastSeq()
    {
        var meta = Meta.FindById(OutboxDocuments.SeqKey);
        var last = meta is null ? 0 : meta["v"].AsInt64;
        foreach (var b in Batches.Query().OrderByDescending("_id").Limit(1).ToList()) last = Math.Max(last, b["_id"].AsInt64);
        return last;
    }

    /// <summary>The items in the sent history, as counted in the meta collection (0 when the history is empty).</summary>
    public long SentCount() => Meta.FindById(OutboxDocuments.SentKey) is { } meta && Sent.Exists(Query.All()) ? meta["v"].AsInt64 : 0;

    /// <summary>
    /// Drops a sent history written one document per item (before finished batches were kept whole): it is only a
    /// resend aid, and its documents cannot be read as batches. True when it did.
    /// </summary>
    public bool DropItemHistory()
    {
        if (Sent.Query().Limit(1).ToList() is not [var first] || first["i"].IsArray) return false;
        Db.DropCollection(ReadingOutbox.SentCollection);
        Meta.Delete(OutboxDocuments.SentKey);
        return true;
    }

    /// <summary>LiteDB's name for the write-ahead log of <paramref name="path"/>: "outbox.db" → "outbox-log.db".</summary>
    public static string LogPathOf(string path) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path) ?? "",
            System.IO.Path.GetFileNameWithoutExtension(path) + "-log" + System.IO.Path.GetExtension(path));

    /// <summary>Opens the file and reads enough of it (counts, oldest item of each lane) to fail here if it is corrupt.</summary>
    public static OutboxStore Open(string path)
    {
        var db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct });
        try
        {
            var store = new OutboxStore(path, db);
            if (db.Pragma("CHECKPOINT").AsInt32 != 0) db.Pragma("CHECKPOINT", 0);
            foreach (var lane in OutboxLanes.ByPriority)
            {
                var col = store.Lane(lane);
                _ = col.LongCount();
                foreach (var doc in col.Query().OrderBy("_id").Limit(1).ToList()) _ = OutboxDocuments.ToRecord(lane, doc);
            }
            foreach (var doc in store.Batches.FindAll().ToList()) _ = OutboxDocuments.ToBatch(doc);
            store.DropItemHistory();
            _ = store.SentCount();
            _ = store.LastSeq();
            return store;
        }
        catch
        {
            try { db.Dispose(); }
            catch (Exception) { /* already failing; the first error is the one to report */ }
            throw;
        }
    }

    /// <summary>
    /// Checks the data file's first page without LiteDB (which may rewrite a file it fails to open, so
    /// the bytes moved aside would no longer be the bad ones): null when it looks like a LiteDB 5 file
    /// (or is absent/empty), else what is wrong.
    /// </summary>
    public static string? HeaderProblem(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.Length == 0) return null;
        if (info.Length < PageSize) return $"{info.Length} bytes, shorter than one {PageSize}-byte page";
        Span<byte> head = stackalloc byte[HeaderVersionOffset + 1];
        using (var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite)) f.ReadExactly(head);
        if (!head.Slice(HeaderInfoOffset, HeaderInfo.Length).SequenceEqual(HeaderInfo)) return "no LiteDB header in the first page";
        if (head[HeaderVersionOffset] != FileVersion) return $"LiteDB file version {head[HeaderVersionOffset]}, expected {FileVersion}";
        return null;
    }

    // LiteDB 5 HeaderPage layout: "** This is a LiteDB file **" at byte 32, file version (8) right after it.
    private const int PageSize = 8192;
    private const int HeaderInfoOffset = 32;
    private const int HeaderVersionOffset = 59;
    private const byte FileVersion = 8;
    private static ReadOnlySpan<byte> HeaderInfo => "** This is a LiteDB file **"u8;

    /// <summary>Current length of the -log (0 when LiteDB has not created it yet).</summary>
    public long LogLength()
    {
        var info = new FileInfo(LogPath);
        return info.Exists ? info.Length : 0;
    }

    /// <summary>fsync the -log: afterwards every transaction committed so far survives a power cut.</summary>
    public void SyncLog()
    {
        if (_log is null)
        {
            if (!File.Exists(LogPath)) return; // nothing committed since the last checkpoint; the data file is synced by LiteDB
            _log = File.OpenHandle(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        RandomAccess.FlushToDisk(_log);
    }

    /// <summary>
    /// Copies the -log into the data file (LiteDB fsyncs the data file before it empties the -log), then
    /// syncs the emptied -log. A failure leaves the -log whole: reopening replays it.
    /// </summary>
    public void Checkpoint()
    {
        Db.Checkpoint();
        SyncLog();
    }

    public bool CheckpointDue() => LogLength() > CheckpointPages * 8192;

    /// <summary>Cuts the -log of a closed store back to <paramref name="length"/> (the pages of a commit that threw), and syncs it.</summary>
    public static void TruncateLog(string logPath, long length)
    {
        if (!File.Exists(logPath)) return;
        using var log = new FileStream(logPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        if (log.Length <= length) return;
        log.SetLength(length);
        log.Flush(flushToDisk: true);
    }

    public void Dispose()
    {
        _log?.Dispose();
        _log = null;
        Db.Dispose();
    }
}
