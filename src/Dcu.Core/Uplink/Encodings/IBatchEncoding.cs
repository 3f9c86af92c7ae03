using System.Buffers;
using Dcu.Core.Outbox;

namespace Dcu.Core.Uplink.Encodings;

/// <summary>
/// How a batch of readings is put on the wire (<c>Publisher:Encoding</c>). Implementations are
/// stateless and thread-safe; <see cref="BatchEncodings.Create"/> gives the one for an option value.
/// </summary>
public interface IBatchEncoding
{
    /// <summary>The option value: <c>json</c>, <c>json-deflate</c> or <c>compact</c>.</summary>
    string Name { get; }

    /// <summary>The MQTT 5 content type to publish the payload with (<see cref="ContentTypes"/>).</summary>
    string ContentType { get; }

    /// <summary>
    /// Appends the payload for <paramref name="batch"/> (readings only, at least one) to
    /// <paramref name="output"/>. <paramref name="seq"/> is the batch number the publisher chose.
    /// </summary>
    /// <exception cref="ArgumentException">The batch is empty, holds a record that is not a reading, or a reading the format cannot carry (named).</exception>
    void EncodeReadings(IBufferWriter<byte> output, string dcuId, long seq, ReadOnlySpan<OutboxRecord> batch);
}
