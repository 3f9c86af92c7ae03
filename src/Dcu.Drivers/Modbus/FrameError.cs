namespace Dcu.Drivers.Modbus;

/// <summary>Why bytes on the wire are not the reply we expected. A closed set; device exceptions are not in it.</summary>
public enum FrameError
{
    None = 0,

    /// <summary>RTU CRC does not match.</summary>
    BadCrc,

    /// <summary>The unit (slave address) is not the one we asked.</summary>
    WrongUnit,

    /// <summary>The function code is neither the request's nor its exception form.</summary>
    WrongFunction,

    /// <summary>A declared length (byte count, MBAP length) disagrees with the request or the PDU.</summary>
    BadLength,

    /// <summary>A declared length exceeds the ADU maximum (256 bytes RTU, 260 bytes TCP); refused before buffering.</summary>
    TooLong,

    /// <summary>A write reply does not echo the request's address, value or quantity.</summary>
    MismatchedEcho,

    /// <summary>MBAP protocol identifier is not 0.</summary>
    BadProtocolId,

    /// <summary>MBAP transaction identifier is not the one we sent (a late reply to an earlier request).</summary>
    WrongTransaction,
}
