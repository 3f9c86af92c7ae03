using System.IO.Compression;
using Dcu.Core.Uplink.Encodings;
using static Dcu.Core.Tests.Uplink.Encodings.CompactSamples;

namespace Dcu.Core.Tests.Uplink.Encodings;

public sealed class CompactDecoderRejectionTests
{
    [Fact]
    public void Every_prefix_of_an_encoded_batch_is_rejected_with_a_format_error()
    {
        foreach (var payload in new[] { Compact(DocExample()), Compact(Testing.SampleReadings.Site(20, intervals: 2)) })
        {
            for (var n = 0; n < payload.Length; n++)
            {
                var ex = Assert.Throws<CompactFormatException>(() => CompactBatchDecoder.Decode(payload.AsSpan(0, n)));
                Assert.Equal(CompactFormatError.Truncated, ex.Error);
            }
            Assert.NotEmpty(CompactBatchDecoder.Decode(payload).Readings);
        }
    }

    [Fact]
    public void Trailing_bytes_are_rejected()
    {
        var payload = Compact(DocExample());
        var ex = Assert.Throws<CompactFormatException>(() => CompactBatchDecoder.Decode([.. payload, 0x00]));
        Assert.Equal(CompactFormatError.TrailingBytes, ex.Error);
    }

    [Fact]
    public void Header_errors_name_what_is_wrong()
    {
        var payload = Compact(DocExample());
        Assert.Equal(CompactFormatError.BadMagic, Assert.Throws<CompactFormatException>(() => CompactBatchDecoder.Decode("{\"dcu\":1}"u8)).Error);
        Assert.Equal(CompactFormatError.BadMagic, Assert.Throws<CompactFormatException>(() => CompactBatchDecoder.Decode("DX"u8)).Error);
        var v2 = payload.ToArray();
        v2[4] = 2;
        var ex = Assert.Throws<CompactFormatException>(() => CompactBatchDecoder.Decode(v2));
        Assert.Equal(CompactFormatError.UnsupportedVersion, ex.Error);
        Assert.Equal("version", ex.Field);
        Assert.False(CompactBatchDecoder.HasMagic("{}"u8));
        Assert.True(CompactBatchDecoder.HasMagic(payload));
    }

    [Fact]
    public void A_body_length_that_disagrees_with_the_deflate_stream_is_bad_deflate()
    {
        var (body, _) = Split(Compact(DocExample()));
        Assert.Equal(CompactFormatError.BadDeflate, Assert.Throws<CompactFormatException>(() => CompactBatchDecoder.Decode(Build(body, declaredLength: body.Length + 1))).Error);
        Assert.Equal(CompactFormatError.BadDeflate, Assert.Throws<CompactFormatException>(() => CompactBatchDecoder.Decode(Build(body, declaredLength: body.Length - 1))).Error);
    }

    [Fact]
    public void Random_garbage_only_ever_gives_a_format_error()
    {
        var random = new Random(1376);
        for (var i = 0; i < 3_000; i++)
        {
            var garbage = new byte[random.Next(0, 200)];
            random.NextBytes(garbage);
            if (i % 2 == 0 && garbage.Length >= 5) "DCUR\x01"u8.CopyTo(garbage); // past the magic, into the lengths and DEFLATE
            Assert.Throws<CompactFormatException>(() => CompactBatchDecoder.Decode(garbage));
        }
    }

    [Fact]
    public void Mutated_bodies_decode_or_give_a_format_error_and_nothing_else()
    {
        // Mutations re-deflated with correct lengths reach the body parser itself: indexes, kinds, flags, varints, UTF-8.
        var (body, _) = Split(Compact(Testing.SampleReadings.Site(5, intervals: 2)));
        var random = new Random(645);
        var rejected = 0;
        for (var i = 0; i < 4_000; i++)
        {
            var mutated = body.ToArray();
            var flips = random.Next(1, 4);
            for (var f = 0; f < flips; f++) mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            if (i % 5 == 0) mutated = mutated[..random.Next(mutated.Length)];
            try
            {
                var decoded = CompactBatchDecoder.Decode(Build(mutated, mutated.Length));
                Assert.NotEmpty(decoded.Readings);
            }
            catch (CompactFormatException)
            {
                rejected++;
            }
        }
        Assert.True(rejected > 1_000, $"only {rejected} of 4000 mutations rejected");
    }

    [Fact]
    public void Body_level_checks_each_have_their_error()
    {
        var (body, _) = Split(Compact(DocExample()));
        // Offsets from the worked example in docs/compact-encoding.md: "dcu-0042" (1 + 8 bytes), seq 7 (1), count 3 (1) ...
        const int countAt = 10;
        Assert.Equal(3, body[countAt]);
        Assert.Equal(CompactFormatError.BadString, Reject(body, 1, 0xFF));           // a byte of the DCU id
        Assert.Equal(CompactFormatError.TooLarge, Reject(body, countAt, 0));        // an empty batch
        Assert.Equal(CompactFormatError.TooLarge, Reject(body, countAt, 120));      // more readings than the bytes could hold
        // ... and at the end: flags (3 x 1), value kinds (3 x 1), values 230.2 (2 bytes), 12345.678 (4), 229.8 (2).
        var kindsAt = body.Length - 8 - 3;
        Assert.Equal(CompactFormatError.BadValue, Reject(body, kindsAt, 0x42));
        Assert.Equal(CompactFormatError.BadFlags, Reject(body, kindsAt - 3, 8));
        Assert.Equal(CompactFormatError.BadVarint, Reject(body, kindsAt - 2, 0x80)); // with the next flag (0) it reads 0x80 0x00: not in shortest form
        Assert.Equal(CompactFormatError.TrailingBytes, Assert.Throws<CompactFormatException>(() => CompactBatchDecoder.Decode(Build([.. body, 0], body.Length + 1))).Error);
    }

    private static CompactFormatError Reject(byte[] body, int at, byte value)
    {
        var mutated = body.ToArray();
        mutated[at] = value;
        return Assert.Throws<CompactFormatException>(() => CompactBatchDecoder.Decode(Build(mutated, mutated.Length))).Error;
    }

    /// <summary>The inflated body and the DEFLATE stream of a payload (lengths as single-byte or two-byte varints).</summary>
    internal static (byte[] Body, byte[] Deflated) Split(byte[] payload)
    {
        var at = 5;
        var bodyLength = ReadVarint(payload, ref at);
        var deflatedLength = ReadVarint(payload, ref at);
        var deflated = payload[at..];
        Assert.Equal(deflatedLength, deflated.Length);
        using var inflater = new DeflateStream(new MemoryStream(deflated), CompressionMode.Decompress);
        var body = new MemoryStream();
        inflater.CopyTo(body);
        Assert.Equal(bodyLength, (int)body.Length);
        return (body.ToArray(), deflated);
    }

    internal static byte[] Build(byte[] body, int declaredLength)
    {
        var deflated = new MemoryStream();
        using (var d = new DeflateStream(deflated, CompressionLevel.Fastest, leaveOpen: true)) d.Write(body);
        var payload = new List<byte>("DCUR\x01"u8.ToArray());
        WriteVarint(payload, (ulong)declaredLength);
        WriteVarint(payload, (ulong)deflated.Length);
        payload.AddRange(deflated.ToArray());
        return [.. payload];
    }

    private static int ReadVarint(byte[] bytes, ref int at)
    {
        int value = 0, shift = 0;
        while (true)
        {
            var b = bytes[at++];
            value |= (b & 0x7F) << shift;
            if (b < 0x80) return value;
            shift += 7;
        }
    }

    private static void WriteVarint(List<byte> into, ulong value)
    {
        while (value >= 0x80)
        {
            into.Add((byte)(value | 0x80));
            value >>= 7;
        }
        into.Add((byte)value);
    }
}
