using System.Buffers;
using Dcu.Core.Outbox;

namespace Dcu.Core.Uplink.Encodings;

/// <summary>
/// <c>json-deflate</c>: the <c>json</c> payload compressed with raw DEFLATE (RFC 1951; no zlib header
/// or Adler-32: TCP and TLS already check the bytes). Python: <c>zlib.decompress(payload, -15)</c>.
/// </summary>
public sealed class JsonDeflateBatchEncoding : IBatchEncoding
{
    public static JsonDeflateBatchEncoding Instance { get; } = new();

    [ThreadStatic] private static ArrayBufferWriter<byte>? _json;

    private JsonDeflateBatchEncoding() { }

    public string Name => "json-deflate";

    public string ContentType => ContentTypes.JsonDeflate;

    public void EncodeReadings(IBufferWriter<byte> output, string dcuId, long seq, ReadOnlySpan<OutboxRecord> batch) =>
        EncodeReadings(output, dcuId, seq, batch, Deflate.JsonLevel);

    /// <summary>With another zlib level (0-9), for the wire-bytes benchmark.</summary>
    internal void EncodeReadings(IBufferWriter<byte> output, string dcuId, long seq, ReadOnlySpan<OutboxRecord> batch, int level)
    {
        ArgumentNullException.ThrowIfNull(output);
        var json = _json ??= new ArrayBufferWriter<byte>(64 * 1024);
        json.ResetWrittenCount();
        JsonBatchEncoding.Instance.EncodeReadings(json, dcuId, seq, batch);
        Deflate.Compress(json.WrittenSpan, output, level);
    }
}
