using System.Buffers;
using System.Text.Json;
using Dcu.Core.Outbox;

namespace Dcu.Core.Uplink.Encodings;

/// <summary>
/// <c>json</c>: the reading batch of docs/mqtt-contract.md,
/// <c>{"dcu":"id","seq":n,"readings":[{"m","q","v","u","t","rt","f"}]}</c>, written by
/// <see cref="ReadingBatchEncoder"/> with the publisher's seq.
/// </summary>
public sealed class JsonBatchEncoding : IBatchEncoding
{
    public static JsonBatchEncoding Instance { get; } = new();

    [ThreadStatic] private static Utf8JsonWriter? _writer;

    private JsonBatchEncoding() { }

    public string Name => "json";

    public string ContentType => ContentTypes.Json;

    public void EncodeReadings(IBufferWriter<byte> output, string dcuId, long seq, ReadOnlySpan<OutboxRecord> batch)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(dcuId);
        BatchRecords.RequireReadings(batch); // before writing: a refused batch leaves the output as it was
        var writer = _writer ??= new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
        writer.Reset(output);
        try
        {
            ReadingBatchEncoder.Encode(writer, dcuId, seq, batch);
        }
        finally
        {
            writer.Reset(NullBufferWriter.Instance); // do not keep the caller's buffer alive
        }
    }

    private sealed class NullBufferWriter : IBufferWriter<byte>
    {
        public static readonly NullBufferWriter Instance = new();

        public void Advance(int count) => throw new InvalidOperationException("not for writing");

        public Memory<byte> GetMemory(int sizeHint = 0) => throw new InvalidOperationException("not for writing");

        public Span<byte> GetSpan(int sizeHint = 0) => throw new InvalidOperationException("not for writing");
    }
}
