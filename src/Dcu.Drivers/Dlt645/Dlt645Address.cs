using System.Diagnostics.CodeAnalysis;

namespace Dcu.Drivers.Dlt645;

/// <summary>
/// A DL/T 645-2007 meter address: 12 BCD digits, sent low byte first (meter "123456789012" is
/// <c>12 90 78 56 34 12</c> on the wire). <c>99..99</c> is the broadcast address (no meter answers);
/// a byte of <c>AA</c> is a wildcard that matches any byte (all AA: "whoever is on the line", used
/// to read the address of a single meter). Written as 12 characters, "A" for wildcard digits.
/// </summary>
public readonly record struct Dlt645Address
{
    public const int Length = 6;

    // The 6 wire bytes, wire byte i in bits 8i..8i+7.
    private readonly ulong _wire;

    private Dlt645Address(ulong wire) => _wire = wire;

    /// <summary>999999999999: every meter executes (broadcast time), none answers.</summary>
    public static Dlt645Address Broadcast { get; } = new(0x999999999999UL);

    /// <summary>AAAAAAAAAAAA: any meter answers (only safe with one meter on the line).</summary>
    public static Dlt645Address Wildcard { get; } = new(0xAAAAAAAAAAAAUL);

    public bool IsBroadcast => _wire == 0x999999999999UL;

    /// <summary>True when at least one byte is the AA wildcard.</summary>
    public bool HasWildcard
    {
        get
        {
            for (var i = 0; i < Length; i++)
            {
                if (ByteAt(i) == 0xAA) return true;
            }

            return false;
        }
    }

    /// <summary>A concrete meter address: no wildcard, not broadcast.</summary>
    public bool IsUnicast => !IsBroadcast && !HasWildcard;

    public static Dlt645Address Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not a DL/T 645 address (12 decimal digits, AA for a wildcard byte)");

    public static bool TryParse([NotNullWhen(true)] string? text, out Dlt645Address address)
    {
        address = default;
        if (text is null || text.Length != 2 * Length) return false;
        ulong wire = 0;
        for (var i = 0; i < Length; i++)
        {
            // Text is most significant first; wire byte 0 is the last two characters.
            char hi = text[2 * (Length - 1 - i)], lo = text[(2 * (Length - 1 - i)) + 1];
            byte b;
            if (hi is 'A' or 'a' && lo is 'A' or 'a') b = 0xAA;
            else if (char.IsAsciiDigit(hi) && char.IsAsciiDigit(lo)) b = (byte)(((hi - '0') << 4) | (lo - '0'));
            else return false;
            wire |= (ulong)b << (8 * i);
        }

        address = new Dlt645Address(wire);
        return true;
    }

    /// <summary>Reads 6 wire bytes (low byte first); false when a byte is neither BCD nor AA.</summary>
    public static bool TryRead(ReadOnlySpan<byte> wire, out Dlt645Address address)
    {
        address = default;
        if (wire.Length < Length) return false;
        ulong value = 0;
        for (var i = 0; i < Length; i++)
        {
            if (wire[i] != 0xAA && Bcd.DecodeByte(wire[i]) < 0) return false;
            value |= (ulong)wire[i] << (8 * i);
        }

        address = new Dlt645Address(value);
        return true;
    }

    /// <summary>Writes the 6 wire bytes, low byte first.</summary>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Length) throw new ArgumentException("Destination needs 6 bytes.", nameof(destination));
        for (var i = 0; i < Length; i++) destination[i] = ByteAt(i);
    }

    /// <summary>Wire byte <paramref name="index"/> (0 = lowest, sent first).</summary>
    public byte ByteAt(int index) => (byte)(_wire >> (8 * index));

    /// <summary>True when this (possibly wildcard) address selects the concrete <paramref name="meter"/> address.</summary>
    public bool Matches(Dlt645Address meter)
    {
        for (var i = 0; i < Length; i++)
        {
            var b = ByteAt(i);
            if (b != 0xAA && b != meter.ByteAt(i)) return false;
        }

        return true;
    }

    public override string ToString() => string.Create(2 * Length, _wire, static (span, wire) =>
    {
        for (var i = 0; i < Length; i++)
        {
            var b = (byte)(wire >> (8 * (Length - 1 - i)));
            span[2 * i] = b == 0xAA ? 'A' : (char)('0' + (b >> 4));
            span[(2 * i) + 1] = b == 0xAA ? 'A' : (char)('0' + (b & 0x0F));
        }
    });
}
