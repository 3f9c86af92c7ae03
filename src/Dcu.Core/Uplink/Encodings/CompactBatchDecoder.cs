using System.IO.Compression;
using Dcu.Core.Model;

namespace Dcu.Core.Uplink.Encodings;

/// <summary>
/// Reads a compact reading batch (docs/compact-encoding.md) back, for tests and tooling; the DCP's
/// reference is tests/Dcu.Testing/scripts/decode_compact.py. Checks everything: magic, version, the
/// declared lengths (so a truncated payload or trailing bytes are caught even where DEFLATE would not
/// notice), varints in shortest form, UTF-8, every index against its dictionary, value kinds,
/// flags and time ranges, and that the body ends exactly after the last column.
/// </summary>
public static class CompactBatchDecoder
{
    /// <summary>True when <paramref name="payload"/> starts with the compact magic (the format is self-describing).</summary>
    public static bool HasMagic(ReadOnlySpan<byte> payload) => payload.StartsWith(CompactFormat.Magic);

    /// <exception cref="CompactFormatException">The bytes are not a valid version-1 compact reading batch.</exception>
    public static CompactReadingBatch Decode(ReadOnlySpan<byte> payload)
    {
        var magic = CompactFormat.Magic;
        if (!payload[..Math.Min(payload.Length, magic.Length)].SequenceEqual(magic[..Math.Min(payload.Length, magic.Length)]))
            throw new CompactFormatException(CompactFormatError.BadMagic, "magic", "does not start with \"DCUR\"");
        var header = new CompactBodyReader(payload);
        header.ReadBytes(magic.Length, "magic");
        var version = header.ReadByte("version");
        if (version != CompactFormat.Version)
            throw new CompactFormatException(CompactFormatError.UnsupportedVersion, "version", $"version {version}; this decoder reads {CompactFormat.Version}");
        var bodyLength = header.ReadCount("body length", CompactFormat.MaxBodyLength);
        var deflatedLength = header.ReadCount("deflate length", int.MaxValue);
        if (deflatedLength > header.Remaining)
            throw new CompactFormatException(CompactFormatError.Truncated, "deflate stream", $"declares {deflatedLength} bytes, {header.Remaining} present");
        if (deflatedLength < header.Remaining)
            throw new CompactFormatException(CompactFormatError.TrailingBytes, "deflate stream", $"declares {deflatedLength} bytes, {header.Remaining} present");
        var body = Inflate(header.ReadBytes(deflatedLength, "deflate stream"), bodyLength);
        return ReadBody(body);
    }

    private static byte[] Inflate(ReadOnlySpan<byte> deflated, int bodyLength)
    {
        var body = new byte[bodyLength];
        try
        {
            using var inflater = new DeflateStream(new MemoryStream(deflated.ToArray(), writable: false), CompressionMode.Decompress);
            var filled = 0;
            while (filled < bodyLength)
            {
                var n = inflater.Read(body, filled, bodyLength - filled);
                if (n == 0) throw new CompactFormatException(CompactFormatError.BadDeflate, "deflate stream", $"inflates to {filled} bytes, {bodyLength} declared");
                filled += n;
            }
            Span<byte> probe = stackalloc byte[1];
            if (inflater.Read(probe) != 0)
                throw new CompactFormatException(CompactFormatError.BadDeflate, "deflate stream", $"inflates to more than the {bodyLength} bytes declared");
        }
        catch (InvalidDataException ex)
        {
            throw new CompactFormatException(CompactFormatError.BadDeflate, "deflate stream", ex.Message, ex);
        }
        return body;
    }

    private static CompactReadingBatch ReadBody(ReadOnlySpan<byte> body)
    {
        var r = new CompactBodyReader(body);
        var dcuId = r.ReadString("dcu id");
        var seq = r.ReadSigned("seq");
        // Every reading takes at least 7 bytes of columns: a count beyond that is a lie, refused before allocating.
        var count = r.ReadCount("count", body.Length / 7);
        if (count == 0) throw new CompactFormatException(CompactFormatError.TooLarge, "count", "a batch holds at least one reading");
        var baseTime = r.ReadSigned("base time");
        var step = r.ReadVarint("step");
        if (step == 0) throw new CompactFormatException(CompactFormatError.BadTime, "step", "is 0");

        var meters = new MeterId[r.ReadCount("meter count", count)];
        for (var i = 0; i < meters.Length; i++) meters[i] = new MeterId(r.ReadString($"meters[{i}]"));
        var units = new string[r.ReadCount("unit count", count)];
        for (var i = 0; i < units.Length; i++) units[i] = r.ReadString($"units[{i}]");
        var quantities = new (ObisCode Obis, string Unit)[r.ReadCount("quantity count", count)];
        for (var i = 0; i < quantities.Length; i++)
        {
            var o = r.ReadBytes(5, $"quantities[{i}] obis");
            var unit = r.ReadVarint($"quantities[{i}] unit");
            if (unit >= (ulong)units.Length) throw new CompactFormatException(CompactFormatError.IndexOutOfRange, $"quantities[{i}] unit", $"{unit} of {units.Length} units");
            quantities[i] = (new ObisCode(o[0], o[1], o[2], o[3], o[4]), units[unit]);
        }

        var meterOf = new int[count];
        long meter = 0;
        for (var i = 0; i < count; i++)
        {
            meter += r.ReadSigned($"meter[{i}]"); // a huge delta wraps to outside 0..M-1 and is refused below
            if (meter < 0 || meter >= meters.Length) throw new CompactFormatException(CompactFormatError.IndexOutOfRange, $"meter[{i}]", $"{meter} of {meters.Length} meters");
            meterOf[i] = (int)meter;
        }
        var quantityOf = new int[count];
        for (var i = 0; i < count; i++)
        {
            var q = r.ReadVarint($"quantity[{i}]");
            if (q >= (ulong)quantities.Length) throw new CompactFormatException(CompactFormatError.IndexOutOfRange, $"quantity[{i}]", $"{q} of {quantities.Length} quantities");
            quantityOf[i] = (int)q;
        }
        var intervalOf = new long[count];
        for (var i = 0; i < count; i++)
        {
            var k = r.ReadVarint($"interval[{i}]");
            var t = (Int128)baseTime + ((Int128)k * step);
            if (t > long.MaxValue) throw new CompactFormatException(CompactFormatError.BadTime, $"interval[{i}]", "beyond the range of 64-bit Unix milliseconds");
            intervalOf[i] = (long)t;
        }
        var readOf = new long[count];
        var read = baseTime;
        for (var i = 0; i < count; i++)
        {
            read = unchecked(read + r.ReadSigned($"read time[{i}]")); // modulo 2^64, as written
            readOf[i] = read;
        }
        var flagsOf = new ReadingQuality[count];
        for (var i = 0; i < count; i++)
        {
            var f = r.ReadVarint($"flags[{i}]");
            if (f > CompactFormat.KnownFlags) throw new CompactFormatException(CompactFormatError.BadFlags, $"flags[{i}]", $"{f} has bits version {CompactFormat.Version} does not define");
            flagsOf[i] = (ReadingQuality)f;
        }
        var kinds = r.ReadBytes(count, "value kinds");
        var readings = new Reading[count];
        for (var i = 0; i < count; i++)
        {
            var kind = kinds[i];
            double value;
            if (kind <= CompactFormat.MaxDecimalKind)
            {
                var mantissa = r.ReadSigned($"value[{i}]");
                if (mantissa > CompactFormat.MaxMantissa || mantissa < -CompactFormat.MaxMantissa)
                    throw new CompactFormatException(CompactFormatError.BadValue, $"value[{i}]", $"decimal mantissa {mantissa} beyond 2^53");
                value = CompactFormat.DecimalToDouble(mantissa, kind - CompactFormat.DecimalExponentBias);
            }
            else if (kind == CompactFormat.Float32Kind) value = r.ReadFloat32($"value[{i}]");
            else if (kind == CompactFormat.Float64Kind) value = r.ReadFloat64($"value[{i}]");
            else throw new CompactFormatException(CompactFormatError.BadValue, $"value kind[{i}]", $"unknown kind 0x{kind:X2}");
            var (obis, unit) = quantities[quantityOf[i]];
            readings[i] = new Reading(meters[meterOf[i]], obis, value, unit, intervalOf[i], readOf[i], flagsOf[i]);
        }
        if (r.Remaining != 0) throw new CompactFormatException(CompactFormatError.TrailingBytes, "body", $"{r.Remaining} bytes after the last value");
        return new CompactReadingBatch(dcuId, seq, readings);
    }
}
