namespace Dcu.Drivers.Profiles;

/// <summary>
/// Order of the 16-bit words of a multi-register value. Bytes inside each word are always
/// big-endian (Modbus). Single-register types ignore it.
/// </summary>
public enum WordOrder
{
    /// <summary>Most significant word first (Eastron, ABB): "ABCD".</summary>
    HighFirst,

    /// <summary>Least significant word first (Carlo Gavazzi EM24): "CDAB".</summary>
    LowFirst,
}
