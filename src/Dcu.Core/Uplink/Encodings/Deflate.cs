using System.Buffers;
using System.IO.Compression;

namespace Dcu.Core.Uplink.Encodings;

/// <summary>Raw DEFLATE (RFC 1951) at the level chosen by measurement (docs/BENCHMARKS.md, "Bytes on the wire").</summary>
internal static class Deflate
{
    /// <summary>
    /// zlib level for <c>json-deflate</c>: 6. Level 9 was at most 4 % smaller on the realistic batches
    /// (and 3 % larger on float32 values) for twice the CPU.
    /// </summary>
    public const int JsonLevel = 6;

    /// <summary>
    /// zlib level for <c>compact</c>: 9. Its columns are short: level 9 is 1-2 % smaller than 6 for
    /// about the same CPU (about a millisecond per 1,000 readings); bytes cost money on 3G.
    /// </summary>
    public const int CompactLevel = 9;

    /// <summary>Compresses <paramref name="input"/> and appends the raw DEFLATE stream to <paramref name="output"/>; returns its length.</summary>
    public static int Compress(ReadOnlySpan<byte> input, IBufferWriter<byte> output, int level)
    {
        var sink = new BufferWriterStream(output);
        using (var deflate = new DeflateStream(sink, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true))
        {
            deflate.Write(input);
        }
        return checked((int)sink.Written);
    }
}
