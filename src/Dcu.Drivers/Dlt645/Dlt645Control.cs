namespace Dcu.Drivers.Dlt645;

/// <summary>The control byte C: D7 direction (1 = from the meter), D6 abnormal reply, D5 follow-up frames, D4..D0 function.</summary>
public static class Dlt645Control
{
    public const byte FromMeter = 0x80;
    public const byte Abnormal = 0x40;
    public const byte FollowUp = 0x20;
    public const byte FunctionMask = 0x1F;

    public static byte Request(Dlt645Function function) => (byte)function;

    public static byte NormalReply(Dlt645Function function, bool followUp = false) => (byte)(FromMeter | (followUp ? FollowUp : 0) | (byte)function);

    public static byte ErrorReply(Dlt645Function function) => (byte)(FromMeter | Abnormal | (byte)function);

    public static Dlt645Function FunctionOf(byte control) => (Dlt645Function)(control & FunctionMask);

    public static bool IsReply(byte control) => (control & FromMeter) != 0;

    public static bool IsAbnormal(byte control) => (control & Abnormal) != 0;

    public static bool HasFollowUp(byte control) => (control & FollowUp) != 0;
}
