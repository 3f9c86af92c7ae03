namespace Dcu.Drivers.Dlt645;

/// <summary>
/// The 4-byte password field of write and control frames: PA (the authority level, e.g. 02 or 04)
/// then P0 P1 P2, the 3-byte password, low byte first. A password usually written "123456" is
/// <c>new Dlt645Password(2, 0x123456)</c> and goes out as <c>02 56 34 12</c> (before +33H).
/// </summary>
public readonly record struct Dlt645Password(byte Level, int Code)
{
    public const int Length = 4;

    public void WriteTo(Span<byte> destination)
    {
        if (Code is < 0 or > 0xFFFFFF) throw new InvalidOperationException($"the password is 3 bytes; {Code:X} does not fit");
        destination[0] = Level;
        destination[1] = (byte)Code;
        destination[2] = (byte)(Code >> 8);
        destination[3] = (byte)(Code >> 16);
    }

    public static Dlt645Password Read(ReadOnlySpan<byte> source) => new(source[0], source[1] | (source[2] << 8) | (source[3] << 16));
}
