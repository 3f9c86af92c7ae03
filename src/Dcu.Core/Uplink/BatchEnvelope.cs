using System.Buffers;
using System.Text.Json;
using Dcu.Core.Outbox;

namespace Dcu.Core.Uplink;

/// <summary>
/// The envelope every outbox batch shares on the wire: <c>{"dcu":"id","seq":batchSeq,"&lt;items&gt;":[...]}</c>, where seq is the
/// DCU-wide batch number (<see cref="OutboxBatch.Seq"/>).
/// One writer for it keeps the readings and events topics from drifting apart (docs/mqtt-contract.md).
/// </summary>
internal static class BatchEnvelope
{
    private static readonly JsonEncodedText Dcu = JsonEncodedText.Encode("dcu");
    private static readonly JsonEncodedText Seq = JsonEncodedText.Encode("seq");

    /// <summary>What a batch holds: the array's name, and the item as errors name it ("reading", "a reading").</summary>
    public readonly record struct Items(JsonEncodedText ArrayName, string Name, string NameWithArticle);

    /// <summary>Writes one record as an item; returns false, having written nothing, when the record is of another lane.</summary>
    public delegate bool ItemWriter(Utf8JsonWriter writer, OutboxRecord record);

    /// <summary>Writes the envelope and one item per record, then flushes.</summary>
    public static void Write(Utf8JsonWriter writer, string dcuId, long seq, ReadOnlySpan<OutboxRecord> batch, Items items, ItemWriter writeItem)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (batch.IsEmpty) throw new ArgumentException($"A batch holds at least one {items.Name}.", nameof(batch));
        writer.WriteStartObject();
        writer.WriteString(Dcu, dcuId);
        writer.WriteNumber(Seq, seq);
        writer.WriteStartArray(items.ArrayName);
        foreach (var record in batch)
        {
            if (!writeItem(writer, record)) throw new ArgumentException($"Outbox record {record.Id} is not {items.NameWithArticle}.", nameof(batch));
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary>Convenience for tests and tools: the batch as a new byte array.</summary>
    public static byte[] ToArray(string dcuId, long seq, ReadOnlySpan<OutboxRecord> batch, Items items, ItemWriter writeItem)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer);
        Write(writer, dcuId, seq, batch, items, writeItem);
        return buffer.WrittenSpan.ToArray();
    }
}
