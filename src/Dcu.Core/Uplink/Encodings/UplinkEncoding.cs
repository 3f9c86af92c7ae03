namespace Dcu.Core.Uplink.Encodings;

/// <summary>The payload encodings of reading batches (<c>Publisher:Encoding</c>); see docs/compact-encoding.md.</summary>
public enum UplinkEncoding
{
    /// <summary><c>json</c>: the JSON of docs/mqtt-contract.md, as before.</summary>
    Json,

    /// <summary><c>json-deflate</c>: the same JSON, compressed with raw DEFLATE (RFC 1951).</summary>
    JsonDeflate,

    /// <summary><c>compact</c>: the versioned binary format of docs/compact-encoding.md, for metered links (3G).</summary>
    Compact,
}
