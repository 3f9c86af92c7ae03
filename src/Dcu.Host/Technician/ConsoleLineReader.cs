using System.Buffers;
using System.Text;

namespace Dcu.Host.Technician;

/// <summary>
/// Turns the bytes a terminal sends into lines: pure (no I/O), fed as bytes arrive, one at a time or many.
/// A line ends with CR, LF or CR LF (a LF right after a CR is part of the same line end, whenever it comes).
/// Backspace (0x08) and DEL (0x7F) take back one character; other control characters and ANSI escape
/// sequences (arrow keys) are ignored. A line longer than the bound is thrown away whole and reported as
/// <see cref="ConsoleLine.TooLong"/>. What a serial terminal should see is written to the echo writer:
/// typed characters when <see cref="Echo"/>, nothing of a <see cref="Secret"/> line but its end.
/// </summary>
public sealed class ConsoleLineReader
{
    public const int DefaultMaxLength = 256;

    private static readonly byte[] LineEnd = "\r\n"u8.ToArray();
    private static readonly byte[] Rubout = "\b \b"u8.ToArray();
    private const byte Bell = 0x07, Esc = 0x1B;

    private readonly int _maxLength;
    private readonly byte[] _line;
    private int _length;
    private bool _afterCr;
    private bool _overflow;
    private EscapeState _escape;

    public ConsoleLineReader(int maxLength = DefaultMaxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        _maxLength = maxLength;
        _line = new byte[maxLength];
    }

    /// <summary>Echo typed characters (a serial terminal does no local echo; a pipe wants none).</summary>
    public bool Echo { get; set; }

    /// <summary>The line being typed is a password: none of its characters is echoed.</summary>
    public bool Secret { get; set; }

    /// <summary>Bytes of the line typed so far.</summary>
    public int PendingLength => _length;

    /// <summary>
    /// Consumes <paramref name="input"/> up to and including the first line end and returns how many bytes that
    /// was (all of them when no line ended); <paramref name="line"/> is the line that ended, if any. The caller
    /// feeds the rest after acting on the line, so a change of <see cref="Secret"/> applies from the next line on.
    /// </summary>
    public int Feed(ReadOnlySpan<byte> input, IBufferWriter<byte> echo, out ConsoleLine? line)
    {
        ArgumentNullException.ThrowIfNull(echo);
        line = null;
        for (var i = 0; i < input.Length; i++)
        {
            var b = input[i];
            var afterCr = _afterCr;
            _afterCr = false;
            if (_escape != EscapeState.None)
            {
                SkipEscape(b);
                continue;
            }
            switch (b)
            {
                case (byte)'\n' when afterCr:
                    continue; // the LF of CR LF
                case (byte)'\r' or (byte)'\n':
                    _afterCr = b == '\r';
                    line = Take();
                    Write(echo, LineEnd, Echo);
                    return i + 1;
                case 0x08 or 0x7F:
                    if (_length > 0 && !_overflow)
                    {
                        // Back over a whole UTF-8 character: its continuation bytes, then its lead byte.
                        while (_length > 1 && (_line[_length - 1] & 0xC0) == 0x80) _length--;
                        _length--;
                        Write(echo, Rubout, Echo && !Secret);
                    }
                    continue;
                case Esc:
                    _escape = EscapeState.Escape;
                    continue;
                case < 0x20:
                    continue;
            }
            if (_overflow) continue;
            if (_length == _maxLength)
            {
                _overflow = true;
                Write(echo, [Bell], Echo);
                continue;
            }
            _line[_length++] = b;
            Write(echo, [b], Echo && !Secret);
        }
        return input.Length;
    }

    /// <summary>Forgets the line typed so far (a session ended under it).</summary>
    public void Reset()
    {
        _length = 0;
        _overflow = false;
        _escape = EscapeState.None;
    }

    private ConsoleLine Take()
    {
        var line = _overflow ? new ConsoleLine("", TooLong: true) : new ConsoleLine(Encoding.UTF8.GetString(_line, 0, _length), TooLong: false);
        Array.Clear(_line, 0, _length); // a password does not linger in the buffer
        _length = 0;
        _overflow = false;
        return line;
    }

    /// <summary>ESC [ or ESC O, parameters, then one final byte 0x40..0x7E (ECMA-48 CSI / SS3); ESC and anything else: two bytes.</summary>
    private void SkipEscape(byte b) => _escape = _escape switch
    {
        EscapeState.Escape when b is (byte)'[' or (byte)'O' => EscapeState.Sequence,
        EscapeState.Sequence when b is < 0x40 or > 0x7E => EscapeState.Sequence,
        _ => EscapeState.None,
    };

    private static void Write(IBufferWriter<byte> echo, ReadOnlySpan<byte> bytes, bool when)
    {
        if (when) echo.Write(bytes);
    }

    private enum EscapeState
    {
        None,
        Escape,
        Sequence,
    }
}
