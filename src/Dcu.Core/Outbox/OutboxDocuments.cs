using Dcu.Core.Model;
using LiteDB;

namespace Dcu.Core.Outbox;

/// <summary>
/// Hand-built BSON for the outbox (no mapper: its cache races in LiteDB 5.0.2x, and short names keep
/// pages small). Times are Unix-ms longs. The OBIS code is packed into one Int64 (A..E, one byte each).
/// Readings: { _id, m: meter, o: obis, v: value, u: unit, t: interval ms, r: read ms, q: quality (omitted when 0) }.
/// Events:   { _id, m: meter (omitted for DCU events), k: kind, t: ms, d: detail }.
/// </summary>
internal static class OutboxDocuments
{
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

    public static OutboxRecord ToRecord(OutboxLane lane, BsonDocument doc)
    {
        var id = doc["_id"].AsInt64;
        if (lane == OutboxLane.Readings)
        {
            var q = doc.TryGetValue("q", out var qv) ? (ReadingQuality)qv.AsInt32 : ReadingQuality.Good;
            var reading = new Reading(new MeterId(doc["m"].AsString), UnpackObis(doc["o"].AsInt64), doc["v"].AsDouble,
                doc["u"].AsString, doc["t"].AsInt64, doc["r"].AsInt64, q);
            return new OutboxRecord(id, lane, reading, null);
        }
        MeterId? m = doc.TryGetValue("m", out var mv) && mv.IsString ? new MeterId(mv.AsString) : null;
        var ev = new MeterEvent(m, doc["k"].AsString, doc["t"].AsInt64, doc["d"].AsString);
        return new OutboxRecord(id, lane, null, ev);
    }

    /// <summary>The item's own time (read time for readings, event time for events), for the oldest-age statistic.</summary>
    public static long ItemTime(OutboxLane lane, BsonDocument doc) => lane == OutboxLane.Readings ? doc["r"].AsInt64 : doc["t"].AsInt64;

    public static long PackObis(ObisCode c) => ((long)c.A << 32) | ((long)c.B << 24) | ((long)c.C << 16) | ((long)c.D << 8) | c.E;

    public static ObisCode UnpackObis(long v) =>
        new((byte)(v >> 32), (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v);
}
