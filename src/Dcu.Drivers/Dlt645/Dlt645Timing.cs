namespace Dcu.Drivers.Dlt645;

/// <summary>
/// Wire time of DL/T 645 exchanges. At the usual 2400 baud 8E1 a character is 11 bits (start, 8
/// data, even parity, stop): 4.583 ms. A read of one 4-byte energy is a 16-byte request and a
/// 20-byte reply (36 characters, 165 ms of line time); with 4 FE wake-up bytes each way, 44
/// characters, 201.7 ms. Add the meter's reply delay (the standard allows 20..500 ms).
/// </summary>
public static class Dlt645Timing
{
    /// <summary>8E1: start + 8 data + parity + stop.</summary>
    public const int BitsPerCharacter8E1 = 11;

    public const int DefaultBaudRate = 2400;

    public static TimeSpan CharacterTime(int baudRate = DefaultBaudRate, int bitsPerCharacter = BitsPerCharacter8E1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(baudRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bitsPerCharacter);
        return TimeSpan.FromTicks((long)Math.Round(bitsPerCharacter * (double)TimeSpan.TicksPerSecond / baudRate));
    }

    /// <summary>Time to send <paramref name="characters"/> back to back.</summary>
    public static TimeSpan WireTime(int characters, int baudRate = DefaultBaudRate, int bitsPerCharacter = BitsPerCharacter8E1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(characters);
        return TimeSpan.FromTicks((long)Math.Round(characters * bitsPerCharacter * (double)TimeSpan.TicksPerSecond / baudRate));
    }

    /// <summary>
    /// Line time of one read-data exchange: the 11H request (DI only) and the 91H reply with
    /// <paramref name="valueLength"/> value bytes, each with its wake-up bytes. Excludes the meter's reply delay.
    /// </summary>
    public static TimeSpan ReadExchangeWireTime(int valueLength, int requestPreamble = Dlt645Frame.DefaultPreambleLength, int replyPreamble = Dlt645Frame.DefaultPreambleLength,
        int baudRate = DefaultBaudRate, int bitsPerCharacter = BitsPerCharacter8E1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(valueLength);
        var characters = Dlt645Frame.FrameLength(4, requestPreamble) + Dlt645Frame.FrameLength(4 + valueLength, replyPreamble);
        return WireTime(characters, baudRate, bitsPerCharacter);
    }
}
