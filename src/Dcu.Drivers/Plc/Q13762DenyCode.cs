namespace Dcu.Drivers.Plc;

/// <summary>
/// The error status of an AFN 00 F2 deny. Codes 00..0C as listed by vendor implementations; any
/// other byte is kept as its number.
/// </summary>
public enum Q13762DenyCode : byte
{
    /// <summary>The relayed communication timed out (the meter did not answer).</summary>
    CommunicationTimeout = 0x00,
    InvalidDataUnit = 0x01,
    LengthError = 0x02,
    ChecksumError = 0x03,
    InfoClassMissing = 0x04,
    FormatError = 0x05,
    DuplicateMeter = 0x06,
    /// <summary>The meter (slave node) is not in the module's table.</summary>
    MeterMissing = 0x07,
    /// <summary>The meter's application layer did not answer.</summary>
    MeterNoAnswer = 0x08,
    MainNodeBusy = 0x09,
    MainNodeUnsupported = 0x0A,
    SlaveNodeNoAnswer = 0x0B,
    /// <summary>The slave node is not in the network.</summary>
    SlaveNodeNotInNetwork = 0x0C,
}
