using System.Text.Json;
using Dcu.Core.Outbox;

namespace Dcu.Core.Uplink;

/// <summary>
/// Encodes a batch of events for <c>dcu/{id}/events</c>:
/// <c>{"dcu":"id","seq":batchSeq,"events":[{"m":"meter","k":"meter_offline","t":unixMs,"d":"detail"}]}</c>.
/// <c>m</c> is omitted for events of the DCU itself.
/// </summary>
public static class EventBatchEncoder
{
    private static readonly BatchEnvelope.Items Events = new(JsonEncodedText.Encode("events"), "event", "an event");
    private static readonly JsonEncodedText M = JsonEncodedText.Encode("m");
    private static readonly JsonEncodedText K = JsonEncodedText.Encode("k");
    private static readonly JsonEncodedText T = JsonEncodedText.Encode("t");
    private static readonly JsonEncodedText D = JsonEncodedText.Encode("d");

    /// <summary>Writes the batch to <paramref name="writer"/> (which the caller resets onto its buffer) and flushes it.</summary>
    public static void Encode(Utf8JsonWriter writer, string dcuId, long seq, ReadOnlySpan<OutboxRecord> batch) =>
        BatchEnvelope.Write(writer, dcuId, seq, batch, Events, WriteEvent);

    /// <summary>Convenience for tests and tools: the batch as a new byte array.</summary>
    public static byte[] Encode(string dcuId, long seq, ReadOnlySpan<OutboxRecord> batch) =>
        BatchEnvelope.ToArray(dcuId, seq, batch, Events, WriteEvent);

    private static bool WriteEvent(Utf8JsonWriter writer, OutboxRecord record)
    {
        if (record.Event is not { } e) return false;
        writer.WriteStartObject();
        if (e.Meter is { } meter) writer.WriteString(M, meter.Value);
        writer.WriteString(K, e.Kind);
        writer.WriteNumber(T, e.UnixMs);
        writer.WriteString(D, e.Detail);
        writer.WriteEndObject();
        return true;
    }
}
