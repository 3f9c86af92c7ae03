using System.Text.Json;
using Dcu.Core.Model;
using Dcu.Core.Outbox;

namespace Dcu.Core.Uplink;

/// <summary>
/// Encodes a batch of readings for <c>dcu/{id}/readings</c> (and billing values for <c>dcu/{id}/billing</c>, same shape):
/// <c>{"dcu":"id","seq":batchSeq,"readings":[{"m":"meter","q":"1.0.32.7.0","v":230.2,"u":"V","t":intervalMs,"rt":readMs,"f":flags}]}</c>.
/// <c>f</c> (quality flags) is omitted when 0; a non-finite value is written as <c>"v":null</c>.
/// Field meanings are in docs/mqtt-contract.md.
/// </summary>
public static class ReadingBatchEncoder
{
    private static readonly BatchEnvelope.Items Readings = new(JsonEncodedText.Encode("readings"), "reading", "a reading");
    private static readonly JsonEncodedText M = JsonEncodedText.Encode("m");
    private static readonly JsonEncodedText Q = JsonEncodedText.Encode("q");
    private static readonly JsonEncodedText V = JsonEncodedText.Encode("v");
    private static readonly JsonEncodedText U = JsonEncodedText.Encode("u");
    private static readonly JsonEncodedText T = JsonEncodedText.Encode("t");
    private static readonly JsonEncodedText Rt = JsonEncodedText.Encode("rt");
    private static readonly JsonEncodedText F = JsonEncodedText.Encode("f");

    /// <summary>Writes the batch to <paramref name="writer"/> (which the caller resets onto its buffer) and flushes it.</summary>
    public static void Encode(Utf8JsonWriter writer, string dcuId, long seq, ReadOnlySpan<OutboxRecord> batch) =>
        BatchEnvelope.Write(writer, dcuId, seq, batch, Readings, WriteReading);

    /// <summary>Convenience for tests and tools: the batch as a new byte array.</summary>
    public static byte[] Encode(string dcuId, long seq, ReadOnlySpan<OutboxRecord> batch) =>
        BatchEnvelope.ToArray(dcuId, seq, batch, Readings, WriteReading);

    private static bool WriteReading(Utf8JsonWriter writer, OutboxRecord record)
    {
        if (record.Reading is not { } r) return false;
        Span<char> obis = stackalloc char[20];
        writer.WriteStartObject();
        writer.WriteString(M, r.Meter.Value);
        writer.WriteString(Q, FormatObis(r.Obis, obis));
        if (double.IsFinite(r.Value)) writer.WriteNumber(V, r.Value);
        else writer.WriteNull(V);
        writer.WriteString(U, r.Unit);
        writer.WriteNumber(T, r.IntervalUnixMs);
        writer.WriteNumber(Rt, r.ReadUnixMs);
        if (r.Quality != ReadingQuality.Good) writer.WriteNumber(F, (int)r.Quality);
        writer.WriteEndObject();
        return true;
    }

    private static ReadOnlySpan<char> FormatObis(ObisCode c, Span<char> into)
    {
        var ok = into.TryWrite(System.Globalization.CultureInfo.InvariantCulture, $"{c.A}.{c.B}.{c.C}.{c.D}.{c.E}", out var n);
        return ok ? into[..n] : c.ToString();
    }
}
