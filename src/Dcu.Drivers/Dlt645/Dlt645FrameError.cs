namespace Dcu.Drivers.Dlt645;

/// <summary>Why bytes on the wire are not the reply we expected. A closed set; what the meter reports is a <see cref="Dlt645ErrorWord"/>, not in it.</summary>
public enum Dlt645FrameError
{
    None = 0,

    /// <summary>The first byte after any FE wake-up bytes is not 68H: noise before a frame.</summary>
    NoStart,

    /// <summary>The second 68H (after the 6 address bytes) is missing.</summary>
    BadHeader,

    /// <summary>An address byte is neither BCD nor AA.</summary>
    BadAddress,

    /// <summary>L exceeds the cap (200 for a read reply); refused before buffering.</summary>
    TooLong,

    /// <summary>The byte after CS is not 16H.</summary>
    BadEnd,

    /// <summary>CS (sum from the first 68H through the data, mod 256) does not match.</summary>
    BadChecksum,

    /// <summary>D7 = 0: a request (our own echo, or another master), not a meter's reply.</summary>
    NotAReply,

    /// <summary>The reply comes from another meter than the one asked.</summary>
    WrongAddress,

    /// <summary>The function code is not the request's.</summary>
    WrongFunction,

    /// <summary>L does not fit the reply (no DI in a read reply, no error byte in an abnormal reply, 6 bytes for an address).</summary>
    BadLength,

    /// <summary>The data identifier (or follow-up sequence number) in the reply is not the one asked.</summary>
    MismatchedIdentifier,
}
