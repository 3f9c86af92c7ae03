using System.Buffers;
using System.Text.Json;
using Dcu.Core.Outbox;

namespace Dcu.Core.Uplink;

/// <summary>
/// Encodes a batch of events for <c>dcu/{id}/events</c>:
/// <c>{"dcu":"id","seq":firstOutboxId,"events":[{"m":"meter","k":"meter_offline","t":unixMs,"d":"detail"}]}</c>.
/// <c>m</c> is omitted for events of the DCU itself.
/// </summary>
public static class EventBatchEncoder
{
    private static readonly JsonEncodedText Dcu = JsonEncodedText.Encode("dcu");
    private static readonly JsonEncodedText Seq = JsonEncodedText.Encode("seq");
    private static readonly JsonEncodedText EventsName = JsonEncodedText.Encode("events");
    private static readonly JsonEncodedText M = JsonEncodedText.Encode("m");
    private static readonly JsonEncodedText K = JsonEncodedText.Encode("k");
    private static readonly JsonEncodedText T = JsonEncodedText.Encode("t");
    private static readonly JsonEncodedText D = JsonEncodedText.Encode("d");

    public static void Encode(Utf8JsonWriter writer, string dcuId, ReadOnlySpan<OutboxRecord> batch)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (batch.IsEmpty) throw new ArgumentException("A batch holds at least one event.", nameof(batch));
        writer.WriteStartObject();
        writer.WriteString(Dcu, dcuId);
        writer.WriteNumber(Seq, batch[0].Id);
        writer.WriteStartArray(EventsName);
        foreach (var record in batch)
        {
            var e = record.Event ?? throw new ArgumentException($"Outbox record {record.Id} is not an event.", nameof(batch));
            writer.WriteStartObject();
            if (e.Meter is { } meter) writer.WriteString(M, meter.Value);
            writer.WriteString(K, e.Kind);
            writer.WriteNumber(T, e.UnixMs);
            writer.WriteString(D, e.Detail);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
    }

    public static byte[] Encode(string dcuId, ReadOnlySpan<OutboxRecord> batch)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer);
        Encode(writer, dcuId, batch);
        return buffer.WrittenSpan.ToArray();
    }
}
