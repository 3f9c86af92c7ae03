namespace Dcu.Drivers.Plc;

/// <summary>Why bytes are not a Q/GDW 1376.2 frame. A closed set; what the module denies is <see cref="Q13762DenyCode"/>.</summary>
public enum Q13762FrameError
{
    None = 0,

    /// <summary>The first byte is not 68H (garbage before a frame: skip one byte and look again).</summary>
    NoStart,

    /// <summary>L is below the smallest frame, or the address field does not fit into L.</summary>
    BadLength,

    /// <summary>L exceeds the configured maximum; refused before buffering.</summary>
    TooLong,

    /// <summary>The byte at L-1 is not 16H.</summary>
    BadEnd,

    /// <summary>CS does not match the sum from C to the end of the data.</summary>
    BadChecksum,
}
