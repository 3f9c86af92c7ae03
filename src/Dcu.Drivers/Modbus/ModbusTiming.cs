namespace Dcu.Drivers.Modbus;

/// <summary>
/// RTU inter-character and inter-frame timing ("MODBUS over Serial Line V1.02", 2.5.1.1): a frame
/// ends after 3.5 character times of silence, a gap over 1.5 characters inside a frame breaks it.
/// Above 19200 baud the spec fixes t1.5 = 750 us and t3.5 = 1750 us.
/// </summary>
public static class ModbusTiming
{
    public static readonly TimeSpan FixedT15 = TimeSpan.FromMicroseconds(750);

    public static readonly TimeSpan FixedT35 = TimeSpan.FromMicroseconds(1750);

    /// <summary>Time of one character on the wire; zero when the link has no baud timing.</summary>
    public static TimeSpan CharacterTime(int baudRate, int bitsPerCharacter) =>
        baudRate <= 0 || bitsPerCharacter <= 0
            ? TimeSpan.Zero
            : TimeSpan.FromMicroseconds(bitsPerCharacter * 1_000_000.0 / baudRate);

    /// <summary>Maximum gap between characters of one frame.</summary>
    public static TimeSpan T15(int baudRate, int bitsPerCharacter) =>
        baudRate > 19200 ? FixedT15 : CharacterTime(baudRate, bitsPerCharacter) * 1.5;

    /// <summary>Minimum silence between frames.</summary>
    public static TimeSpan T35(int baudRate, int bitsPerCharacter) =>
        baudRate > 19200 ? FixedT35 : CharacterTime(baudRate, bitsPerCharacter) * 3.5;
}
