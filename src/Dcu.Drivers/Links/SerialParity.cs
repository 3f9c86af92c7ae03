namespace Dcu.Drivers.Links;

/// <summary>Parity of a serial line (mark and space are not used by meters).</summary>
public enum SerialParity
{
    None,
    Even,
    Odd,
}
