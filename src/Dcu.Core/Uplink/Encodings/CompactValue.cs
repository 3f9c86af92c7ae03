using System.Buffers.Binary;
using System.Globalization;

namespace Dcu.Core.Uplink.Encodings;

/// <summary>
/// Picks the smallest exact representation of a reading's value: a decimal (ZigZag varint mantissa,
/// exponent in the kind byte) when the value's shortest round-trip decimal has a mantissa up to 2^53
/// and an exponent within ±22, float32 when the double is a widened float (Modbus float registers),
/// else float64. Every choice is checked by decoding it, so decode(encode(x)) has x's exact bits
/// (-0.0, NaN and the infinities included: they go as float32).
/// </summary>
internal static class CompactValue
{
    /// <summary>Returns the kind and writes the value bytes into <paramref name="payload"/> (at most 10 bytes); <paramref name="length"/> is how many.</summary>
    public static byte Choose(double value, Span<byte> payload, out int length)
    {
        var decimalLength = int.MaxValue;
        ulong zigzag = 0;
        var exponent = 0;
        if (TryDecimal(value, out var mantissa, out exponent))
        {
            zigzag = Varint.ZigZag(mantissa);
            decimalLength = Varint.Length(zigzag);
        }
        var isFloat32 = BitConverter.DoubleToInt64Bits((float)value) == BitConverter.DoubleToInt64Bits(value);
        if (decimalLength <= 4 || (decimalLength <= 8 && !isFloat32))
        {
            length = 0;
            while (zigzag >= 0x80)
            {
                payload[length++] = (byte)(zigzag | 0x80);
                zigzag >>= 7;
            }
            payload[length++] = (byte)zigzag;
            return (byte)(exponent + CompactFormat.DecimalExponentBias);
        }
        if (isFloat32)
        {
            BinaryPrimitives.WriteSingleLittleEndian(payload, (float)value);
            length = 4;
            return CompactFormat.Float32Kind;
        }
        BinaryPrimitives.WriteDoubleLittleEndian(payload, value);
        length = 8;
        return CompactFormat.Float64Kind;
    }

    /// <summary>The value as mantissa x 10^exponent (trailing zeros moved into the exponent), when that decodes to the same bits.</summary>
    internal static bool TryDecimal(double value, out long mantissa, out int exponent)
    {
        mantissa = 0;
        exponent = 0;
        if (!double.IsFinite(value)) return false;
        Span<char> text = stackalloc char[32];
        if (!value.TryFormat(text, out var n, "R", CultureInfo.InvariantCulture)) return false;
        text = text[..n];

        var i = 0;
        var negative = text[0] == '-';
        if (negative) i++;
        long m = 0;
        var digits = 0;
        var fraction = 0;
        var inFraction = false;
        for (; i < text.Length && text[i] != 'E'; i++)
        {
            var c = text[i];
            if (c == '.') { inFraction = true; continue; }
            if (c is < '0' or > '9' || ++digits > 17) return false;
            m = (m * 10) + (c - '0');
            if (inFraction) fraction++;
        }
        var e = 0;
        if (i < text.Length && !int.TryParse(text[(i + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out e)) return false;
        e -= fraction;
        while (m != 0 && m % 10 == 0 && e < CompactFormat.MaxDecimalExponent)
        {
            m /= 10;
            e++;
        }
        if (m > CompactFormat.MaxMantissa || e is < -CompactFormat.MaxDecimalExponent or > CompactFormat.MaxDecimalExponent) return false;
        if (negative) m = -m;
        if (BitConverter.DoubleToInt64Bits(CompactFormat.DecimalToDouble(m, e)) != BitConverter.DoubleToInt64Bits(value)) return false;
        mantissa = m;
        exponent = e;
        return true;
    }
}
