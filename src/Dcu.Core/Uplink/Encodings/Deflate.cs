using System.Buffers;
using System.IO.Compression;

namespace Dcu.Core.Uplink.Encodings;

/// <summary>Raw DEFLATE (RFC 1951) at the level chosen by measurement (docs/BENCHMARKS.md, "Bytes on the wire").</summary>
internal static class Deflate
{
    /// <summary>
    /// zlib level 9. On the realistic batches it is 1-3 % smaller than level 6 (Optimal) for well under
    /// a millisecond more per 1,000 readings; bytes cost money on 3G, a millisecond does not.
    /// </summary>
    public const int Level = 9;

    /// <summary>Compresses <paramref name="input"/> and appends the raw DEFLATE stream to <paramref name="output"/>; returns its length.</summary>
    public static int Compress(ReadOnlySpan<byte> input, IBufferWriter<byte> output, int level = Level)
    {
        var sink = new BufferWriterStream(output);
        using (var deflate = new DeflateStream(sink, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true))
        {
            deflate.Write(input);
        }
        return checked((int)sink.Written);
    }
}
