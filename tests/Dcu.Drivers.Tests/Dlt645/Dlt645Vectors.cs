namespace Dcu.Drivers.Tests.Dlt645;

/// <summary>The known-good frames of shared/protocols/dlt645.md (meter 123456789012).</summary>
internal static class Dlt645Vectors
{
    public const string Meter = "123456789012";
    public const string ReadForwardActive = "FE FE FE FE 68 12 90 78 56 34 12 68 11 04 33 33 34 33 68 16";
    public const string ReplyForwardActive = "68 12 90 78 56 34 12 68 91 08 33 33 34 33 89 67 45 33 54 16";
    public const string ReadVoltageA = "68 12 90 78 56 34 12 68 11 04 33 34 34 35 6B 16";
    public const string ReplyVoltageA = "68 12 90 78 56 34 12 68 91 06 33 34 34 35 34 55 76 16";
    public const string ReplyCurrentA = "68 12 90 78 56 34 12 68 91 07 33 34 35 35 56 84 33 FC 16";
    public const string ReplyActivePower = "68 12 90 78 56 34 12 68 91 07 33 33 36 35 78 56 34 F1 16";
    public const string ReplyNoData = "68 12 90 78 56 34 12 68 D1 01 35 8D 16";
    public const string ReadAddress = "68 AA AA AA AA AA AA 68 13 00 DF 16";
    public const string ReplyAddress = "68 12 90 78 56 34 12 68 93 06 45 C3 AB 89 67 45 07 16";
    public const string BroadcastTime = "68 99 99 99 99 99 99 68 08 06 63 78 46 4A 38 57 6E 16";

    /// <summary>Every frame, for the prefix and byte-at-a-time tests.</summary>
    public static TheoryData<string> All() => new()
    {
        ReadForwardActive, ReplyForwardActive, ReadVoltageA, ReplyVoltageA, ReplyCurrentA, ReplyActivePower,
        ReplyNoData, ReadAddress, ReplyAddress, BroadcastTime,
    };
}
