namespace Dcu.Drivers.Dlt645;

/// <summary>Stable short tokens for <see cref="Dcu.Core.Abstractions.MeterProtocolException.Reason"/>.</summary>
public static class Dlt645FrameErrorExtensions
{
    public static string ToReason(this Dlt645FrameError error) => error switch
    {
        Dlt645FrameError.NoStart => "dlt645_no_start",
        Dlt645FrameError.BadHeader => "dlt645_bad_header",
        Dlt645FrameError.BadAddress => "dlt645_bad_address",
        Dlt645FrameError.TooLong => "dlt645_too_long",
        Dlt645FrameError.BadEnd => "dlt645_bad_end",
        Dlt645FrameError.BadChecksum => "dlt645_checksum",
        Dlt645FrameError.NotAReply => "dlt645_not_a_reply",
        Dlt645FrameError.WrongAddress => "dlt645_wrong_address",
        Dlt645FrameError.WrongFunction => "dlt645_wrong_function",
        Dlt645FrameError.BadLength => "dlt645_bad_length",
        Dlt645FrameError.MismatchedIdentifier => "dlt645_mismatched_di",
        _ => "dlt645_frame",
    };
}
