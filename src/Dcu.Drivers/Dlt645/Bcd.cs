using System.Globalization;

namespace Dcu.Drivers.Dlt645;

/// <summary>
/// Packed BCD as DL/T 645-2007 carries it: two digits per byte, the low byte first on the wire
/// (after the -33H), a fixed number of decimals, and for some formats the top bit of the most
/// significant byte as a sign bit (1 = negative; the remaining 2n-1 digits are the magnitude,
/// not a two's complement). Pure functions; invalid nibbles (A..F, e.g. the FF FF a meter sends
/// for a value it does not have) are reported, never silently decoded.
/// </summary>
public static class Bcd
{
    /// <summary>Two BCD digits of one byte; -1 when a nibble is above 9.</summary>
    public static int DecodeByte(byte value)
    {
        int hi = value >> 4, lo = value & 0x0F;
        return hi > 9 || lo > 9 ? -1 : (hi * 10) + lo;
    }

    /// <summary>0..99 as one BCD byte.</summary>
    public static byte EncodeByte(int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 99);
        return (byte)(((value / 10) << 4) | (value % 10));
    }

    /// <summary>True when every nibble (ignoring the sign bit when <paramref name="signed"/>) is a decimal digit.</summary>
    public static bool IsValid(ReadOnlySpan<byte> lowFirst, bool signed = false)
    {
        for (var i = 0; i < lowFirst.Length; i++)
        {
            var b = lowFirst[i];
            if (signed && i == lowFirst.Length - 1) b &= 0x7F;
            if (DecodeByte(b) < 0) return false;
        }

        return true;
    }

    /// <summary>Decodes an unsigned BCD integer (low byte first); false on an invalid nibble or more than 18 digits.</summary>
    public static bool TryDecodeInteger(ReadOnlySpan<byte> lowFirst, bool signed, out long value)
    {
        value = 0;
        if (lowFirst.Length is 0 or > 9) return false;
        var negative = false;
        for (var i = lowFirst.Length - 1; i >= 0; i--)
        {
            var b = lowFirst[i];
            if (signed && i == lowFirst.Length - 1)
            {
                negative = (b & 0x80) != 0;
                b &= 0x7F;
            }

            var digits = DecodeByte(b);
            if (digits < 0)
            {
                value = 0;
                return false;
            }

            value = (value * 100) + digits;
        }

        if (negative) value = -value;
        return true;
    }

    /// <summary>Decodes a BCD number with <paramref name="decimals"/> implied decimals; false on an invalid nibble.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> lowFirst, int decimals, bool signed, out decimal value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decimals);
        value = 0;
        if (!TryDecodeInteger(lowFirst, signed, out var raw)) return false;
        value = raw / Pow10(decimals);
        return true;
    }

    /// <summary>
    /// Decodes a BCD number; throws <see cref="FormatException"/> naming the offending bytes when a
    /// nibble is not a decimal digit.
    /// </summary>
    public static decimal Decode(ReadOnlySpan<byte> lowFirst, int decimals, bool signed)
    {
        if (TryDecode(lowFirst, decimals, signed, out var value)) return value;
        throw new FormatException(string.Create(CultureInfo.InvariantCulture,
            $"BCD value {Convert.ToHexString(lowFirst)} (low byte first) has a nibble above 9 or is longer than 9 bytes"));
    }

    /// <summary>
    /// Encodes <paramref name="value"/> into <paramref name="lowFirst"/> (all of it) with
    /// <paramref name="decimals"/> implied decimals, rounding half away from zero. Negative values need
    /// <paramref name="signed"/>; a value too large for the digits throws <see cref="ArgumentOutOfRangeException"/>.
    /// </summary>
    public static void Encode(Span<byte> lowFirst, decimal value, int decimals, bool signed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decimals);
        if (lowFirst.Length is 0 or > 9) throw new ArgumentException("BCD fields are 1..9 bytes", nameof(lowFirst));
        if (value < 0 && !signed) throw new ArgumentOutOfRangeException(nameof(value), value, "negative value for an unsigned BCD field");
        var scaled = Math.Round(Math.Abs(value) * Pow10(decimals), MidpointRounding.AwayFromZero);
        var max = Pow10(lowFirst.Length * 2) * (signed ? 0.8m : 1m);
        // Signed: the top digit may only be 0..7 (bit 7 is the sign), so the limit is 8 x 10^(2n-1).
        if (scaled >= max) throw new ArgumentOutOfRangeException(nameof(value), value, $"does not fit {lowFirst.Length} BCD bytes with {decimals} decimals");
        var raw = (ulong)scaled;
        for (var i = 0; i < lowFirst.Length; i++)
        {
            lowFirst[i] = EncodeByte((int)(raw % 100));
            raw /= 100;
        }

        if (value < 0 && scaled != 0) lowFirst[^1] |= 0x80;
    }

    private static decimal Pow10(int n)
    {
        var p = 1m;
        for (var i = 0; i < n; i++) p *= 10;
        return p;
    }
}
