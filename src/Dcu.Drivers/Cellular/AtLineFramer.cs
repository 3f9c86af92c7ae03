namespace Dcu.Drivers.Cellular;

/// <summary>
/// Splits what the modem sends into lines. V.250 5.7.1: information text and result codes are
/// framed <c>&lt;CR&gt;&lt;LF&gt;text&lt;CR&gt;&lt;LF&gt;</c> (ATV1); an echoed command line ends with CR alone.
/// So any run of CR and LF ends a line and empty lines carry nothing. Pure, peek then commit:
/// <see cref="AtFrameStatus.Incomplete"/> consumes nothing; a line is capped at
/// <see cref="MaxLineLength"/> before more of it is buffered.
/// </summary>
public static class AtLineFramer
{
    /// <summary>Longest line accepted. The longest legitimate answers of the commands we send (+COPS with a long operator name) are under 100.</summary>
    public const int MaxLineLength = 512;

    public const byte Cr = 0x0D;
    public const byte Lf = 0x0A;

    /// <summary>
    /// Reads one line from the start of <paramref name="input"/>. On <see cref="AtFrameStatus.Line"/>,
    /// <paramref name="line"/> is its text (without terminators, never empty). On
    /// <see cref="AtFrameStatus.Error"/>, <paramref name="consumed"/> bytes (the bad line with its
    /// terminator, or all of an over-long line so far) are to be dropped; an over-long line without its
    /// terminator yet continues in later bytes, which the caller drops up to the next terminator
    /// (<see cref="TerminatorEnd"/>).
    /// </summary>
    public static AtFrameStatus TryRead(ReadOnlySpan<byte> input, out Range line, out int consumed, out AtFormatError error)
    {
        line = default;
        consumed = 0;
        error = AtFormatError.None;
        var start = 0;
        while (start < input.Length && IsTerminator(input[start])) start++;
        var rest = input[start..];
        var end = rest.IndexOfAny(Cr, Lf);
        if (end < 0)
        {
            if (rest.Length <= MaxLineLength) return AtFrameStatus.Incomplete;
            consumed = input.Length;
            error = AtFormatError.LineTooLong;
            return AtFrameStatus.Error;
        }
        var text = rest[..end];
        error = text.Length > MaxLineLength ? AtFormatError.LineTooLong : Check(text);
        consumed = start + end + 1;
        if (error != AtFormatError.None) return AtFrameStatus.Error;
        line = new Range(start, start + end);
        return AtFrameStatus.Line;
    }

    /// <summary>Bytes up to and including the first line terminator, or -1 when there is none.</summary>
    public static int TerminatorEnd(ReadOnlySpan<byte> input)
    {
        var i = input.IndexOfAny(Cr, Lf);
        return i < 0 ? -1 : i + 1;
    }

    public static bool IsTerminator(byte b) => b is Cr or Lf;

    private static AtFormatError Check(ReadOnlySpan<byte> text)
    {
        foreach (var b in text)
        {
            if (b == 0) return AtFormatError.NulByte;
            if (b is (< 0x20 and not 0x09) or >= 0x7F) return AtFormatError.NotText;
        }
        return AtFormatError.None;
    }
}
