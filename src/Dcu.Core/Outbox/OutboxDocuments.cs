using Dcu.Core.Model;
using LiteDB;

namespace Dcu.Core.Outbox;

/// <summary>
/// Hand-built BSON for the outbox (no mapper: its cache races in LiteDB 5.0.2x, and short names keep
/// pages small). Times are Unix-ms longs. The OBIS code is packed into one Int64 (A..E, one byte each).
/// Readings and billing: { _id, m: meter, o: obis, v: value, u: unit, t: interval ms, r: read ms, q: quality (omitted when 0) }.
/// Events:   { _id, m: meter (omitted for DCU events), k: kind, t: ms, d: detail }.
/// Results:  { _id, s: topic suffix, p: payload (binary), t: ms }.
/// Batches:  { _id: seq, l: lane, f: first item id, n: last item id }.
/// Meta:     { _id: "seq", v: last seq handed out }, { _id: "sent", v: items in the sent history }.
/// Sent history: one document per finished batch (one index entry instead of one per item: the history
/// costs the writer little), { _id, l: lane, s: seq, a: finished ms, c: item count, i: [the items' own documents, no _id] }.
/// </summary>
internal static class OutboxDocuments
{
    public const string SeqKey = "seq";
    public const string SentKey = "sent";

    public static BsonDocument FromReading(Reading reading)
    {
        var doc = new BsonDocument
        {
            ["m"] = reading.Meter.Value,
            ["o"] = PackObis(reading.Obis),
            ["v"] = reading.Value,
            ["u"] = reading.Unit,
            ["t"] = reading.IntervalUnixMs,
            ["r"] = reading.ReadUnixMs,
        };
        if (reading.Quality != ReadingQuality.Good) doc["q"] = (int)reading.Quality;
        return doc;
    }

    public static BsonDocument FromEvent(MeterEvent meterEvent)
    {
        var doc = new BsonDocument();
        if (meterEvent.Meter is { } meter) doc["m"] = meter.Value;
        doc["k"] = meterEvent.Kind;
        doc["t"] = meterEvent.UnixMs;
        doc["d"] = meterEvent.Detail;
        return doc;
    }

    public static BsonDocument FromMessage(OutboxMessage message) => new()
    {
        ["s"] = message.TopicSuffix,
        ["p"] = message.Payload.ToArray(),
        ["t"] = message.UnixMs,
    };

    public static BsonDocument From(object item) => item switch
    {
        Reading r => FromReading(r),
        MeterEvent e => FromEvent(e),
        OutboxMessage m => FromMessage(m),
        _ => throw new ArgumentException($"Not an outbox item: {item.GetType().Name}", nameof(item)),
    };

    public static OutboxRecord ToRecord(OutboxLane lane, BsonDocument doc)
    {
        var id = doc["_id"].AsInt64;
        return lane switch
        {
            OutboxLane.Readings or OutboxLane.Billing => new OutboxRecord(id, lane, ToReading(doc), null),
            OutboxLane.Events => new OutboxRecord(id, lane, null, ToEvent(doc)),
            _ => new OutboxRecord(id, lane, null, null, new OutboxMessage(doc["s"].AsString, doc["p"].AsBinary, doc["t"].AsInt64)),
        };
    }

    public static Reading ToReading(BsonDocument doc)
    {
        var q = doc.TryGetValue("q", out var qv) ? (ReadingQuality)qv.AsInt32 : ReadingQuality.Good;
        return new Reading(new MeterId(doc["m"].AsString), UnpackObis(doc["o"].AsInt64), doc["v"].AsDouble,
            doc["u"].AsString, doc["t"].AsInt64, doc["r"].AsInt64, q);
    }

    public static MeterEvent ToEvent(BsonDocument doc)
    {
        MeterId? m = doc.TryGetValue("m", out var mv) && mv.IsString ? new MeterId(mv.AsString) : null;
        return new MeterEvent(m, doc["k"].AsString, doc["t"].AsInt64, doc["d"].AsString);
    }

    /// <summary>The item's own time (read time for readings, event/creation time otherwise), for the oldest-age statistic.</summary>
    public static long ItemTime(OutboxLane lane, BsonDocument doc) => lane.HoldsReadings() ? doc["r"].AsInt64 : doc["t"].AsInt64;

    public static BsonDocument BatchDoc(long seq, OutboxLane lane, long firstId, long lastId) => new()
    {
        ["_id"] = seq,
        ["l"] = (int)lane,
        ["f"] = firstId,
        ["n"] = lastId,
    };

    public static BatchInfo ToBatch(BsonDocument doc) =>
        new(doc["_id"].AsInt64, (OutboxLane)doc["l"].AsInt32, doc["f"].AsInt64, doc["n"].AsInt64);

    /// <summary>The sent-history document of a finished batch, over its item documents as read back from the lane (their _id is dropped).</summary>
    public static BsonDocument HistoryBatch(OutboxLane lane, long seq, long finishedMs, List<BsonDocument> items)
    {
        foreach (var item in items) item.Remove("_id");
        return new BsonDocument
        {
            ["l"] = (int)lane,
            ["s"] = seq,
            ["a"] = finishedMs,
            ["c"] = items.Count,
            ["i"] = new BsonArray(items),
        };
    }

    /// <summary>The items of a sent-history document, with the lane they go back to on a resend.</summary>
    public static (OutboxLane Lane, IEnumerable<BsonDocument> Items) HistoryItems(BsonDocument batch) =>
        ((OutboxLane)batch["l"].AsInt32, batch["i"].AsArray.Select(v => v.AsDocument));

    public static long PackObis(ObisCode c) => ((long)c.A << 32) | ((long)c.B << 24) | ((long)c.C << 16) | ((long)c.D << 8) | c.E;

    public static ObisCode UnpackObis(long v) =>
        new((byte)(v >> 32), (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v);
}

/// <summary>An open batch as the outbox remembers it (see <see cref="OutboxBatch"/>).</summary>
internal readonly record struct BatchInfo(long Seq, OutboxLane Lane, long FirstId, long LastId);
