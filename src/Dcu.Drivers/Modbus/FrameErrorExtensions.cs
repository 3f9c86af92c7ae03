namespace Dcu.Drivers.Modbus;

/// <summary>Stable short tokens for <see cref="Dcu.Core.Abstractions.MeterProtocolException.Reason"/>.</summary>
public static class FrameErrorExtensions
{
    public static string ToReason(this FrameError error) => error switch
    {
        FrameError.BadCrc => "crc",
        FrameError.WrongUnit => "wrong_unit",
        FrameError.WrongFunction => "wrong_function",
        FrameError.BadLength => "bad_length",
        FrameError.TooLong => "too_long",
        FrameError.MismatchedEcho => "mismatched_echo",
        FrameError.BadProtocolId => "bad_protocol_id",
        FrameError.WrongTransaction => "wrong_transaction",
        _ => "frame",
    };
}
