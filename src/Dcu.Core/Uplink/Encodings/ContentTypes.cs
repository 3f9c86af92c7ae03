namespace Dcu.Core.Uplink.Encodings;

/// <summary>MQTT 5 content types of reading batches, one per <see cref="UplinkEncoding"/> (docs/compact-encoding.md).</summary>
public static class ContentTypes
{
    /// <summary>UTF-8 JSON as in docs/mqtt-contract.md. A message without a content type is this too (older DCUs).</summary>
    public const string Json = "application/json";

    /// <summary>The same JSON compressed with raw DEFLATE (RFC 1951: no zlib or gzip header, no checksum).</summary>
    public const string JsonDeflate = "application/vnd.dcu.json-deflate";

    /// <summary>The compact binary reading batch (magic <c>DCUR</c>, version byte, then DEFLATE).</summary>
    public const string Compact = "application/vnd.dcu.compact";
}
