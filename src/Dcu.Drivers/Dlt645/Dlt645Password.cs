using System.Globalization;

namespace Dcu.Drivers.Dlt645;

/// <summary>
/// The 4-byte password field of write and control frames: PA (the authority level, e.g. 02 or 04)
/// then P0 P1 P2, the 3-byte password, low byte first. A password usually written "123456" is
/// <c>new Dlt645Password(2, 0x123456)</c> and goes out as <c>02 56 34 12</c> (before +33H).
/// </summary>
/// <remarks>A secret: <see cref="ToString"/> shows the level only, so a logged value never leaks it.</remarks>
public readonly record struct Dlt645Password(byte Level, int Code)
{
    public const int Length = 4;

    public void WriteTo(Span<byte> destination)
    {
        if (Code is < 0 or > 0xFFFFFF) throw new InvalidOperationException("the password is 3 bytes; the code does not fit");
        destination[0] = Level;
        destination[1] = (byte)Code;
        destination[2] = (byte)(Code >> 8);
        destination[3] = (byte)(Code >> 16);
    }

    public static Dlt645Password Read(ReadOnlySpan<byte> source) => new(source[0], source[1] | (source[2] << 8) | (source[3] << 16));

    /// <summary>
    /// "02123456": 8 hex digits as written on meter documentation, the level (PA) first, then the
    /// password most significant digit first. False for anything else (the text is never echoed).
    /// </summary>
    public static bool TryParse(string? text, out Dlt645Password password)
    {
        password = default;
        if (text is not { Length: 8 } || !uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)) return false;
        password = new Dlt645Password((byte)(value >> 24), (int)(value & 0xFFFFFF));
        return true;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"password level {Level:X2} (hidden)");
}
