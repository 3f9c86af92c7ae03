namespace Dcu.Drivers.Plc;

/// <summary>Outcome of a peek-then-commit parse.</summary>
public enum Q13762FrameStatus
{
    /// <summary>More bytes are needed; nothing was consumed.</summary>
    Incomplete,

    /// <summary>A whole frame was parsed; <c>consumed</c> bytes belong to it.</summary>
    Complete,

    /// <summary>The bytes at the start are not a frame; nothing was consumed (the caller skips one byte).</summary>
    Error,
}
