using System.Buffers.Binary;

namespace Dcu.Drivers.Dlt645;

/// <summary>Decoders for the non-numeric value layouts (dates, status words, energy blocks). Pure; <see cref="FormatException"/> on bad bytes.</summary>
public static class Dlt645Values
{
    /// <summary>04000101 + 04000102: YYMMDDWW and hhmmss (33H removed) to the meter's local clock time.</summary>
    public static DateTime DecodeDateTime(ReadOnlySpan<byte> date, ReadOnlySpan<byte> time)
    {
        if (date.Length != 4 || time.Length != 3) throw new FormatException("date is 4 bytes (YYMMDDWW), time 3 (hhmmss)");
        int d = Bcd.DecodeByte(date[1]), mo = Bcd.DecodeByte(date[2]), y = Bcd.DecodeByte(date[3]);
        int s = Bcd.DecodeByte(time[0]), mi = Bcd.DecodeByte(time[1]), h = Bcd.DecodeByte(time[2]);
        if (y < 0 || mo is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(2000 + y, mo) || h is < 0 or > 23 || mi is < 0 or > 59 || s is < 0 or > 59)
            throw new FormatException($"not a date/time: {Convert.ToHexString(date)} {Convert.ToHexString(time)}");
        return new DateTime(2000 + y, mo, d, h, mi, s, DateTimeKind.Unspecified);
    }

    /// <summary>YYMMDDWW, WW 0 = Sunday.</summary>
    public static void EncodeDate(Span<byte> destination, DateTime date)
    {
        destination[0] = Bcd.EncodeByte((int)date.DayOfWeek);
        destination[1] = Bcd.EncodeByte(date.Day);
        destination[2] = Bcd.EncodeByte(date.Month);
        destination[3] = Bcd.EncodeByte(date.Year - 2000);
    }

    public static void EncodeTime(Span<byte> destination, DateTime time)
    {
        destination[0] = Bcd.EncodeByte(time.Second);
        destination[1] = Bcd.EncodeByte(time.Minute);
        destination[2] = Bcd.EncodeByte(time.Hour);
    }

    /// <summary>YYMMDDhhmm (sent mm first).</summary>
    public static DateTime DecodeFreezeTime(ReadOnlySpan<byte> data)
    {
        if (data.Length != 5) throw new FormatException("a freeze time is 5 bytes (YYMMDDhhmm)");
        int mi = Bcd.DecodeByte(data[0]), h = Bcd.DecodeByte(data[1]), d = Bcd.DecodeByte(data[2]), mo = Bcd.DecodeByte(data[3]), y = Bcd.DecodeByte(data[4]);
        if (y < 0 || mo is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(2000 + y, mo) || h is < 0 or > 23 || mi is < 0 or > 59)
            throw new FormatException($"not a freeze time: {Convert.ToHexString(data)}");
        return new DateTime(2000 + y, mo, d, h, mi, 0, DateTimeKind.Unspecified);
    }

    public static void EncodeFreezeTime(Span<byte> destination, DateTime time)
    {
        destination[0] = Bcd.EncodeByte(time.Minute);
        destination[1] = Bcd.EncodeByte(time.Hour);
        destination[2] = Bcd.EncodeByte(time.Day);
        destination[3] = Bcd.EncodeByte(time.Month);
        destination[4] = Bcd.EncodeByte(time.Year - 2000);
    }

    /// <summary>A 2-byte status word, low byte first (a bit field, not BCD).</summary>
    public static ushort DecodeStatusWord(ReadOnlySpan<byte> data) =>
        data.Length == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(data) : throw new FormatException($"a status word is 2 bytes, got {data.Length}");

    /// <summary>Consecutive XXXXXX.XX values: [0] total, [n] tariff n.</summary>
    public static decimal[] DecodeEnergyBlock(ReadOnlySpan<byte> data)
    {
        if (data.Length == 0 || data.Length % 4 != 0) throw new FormatException($"an energy block is a multiple of 4 bytes, got {data.Length}");
        var values = new decimal[data.Length / 4];
        for (var i = 0; i < values.Length; i++) values[i] = Bcd.Decode(data.Slice(4 * i, 4), 2, signed: false);
        return values;
    }
}
