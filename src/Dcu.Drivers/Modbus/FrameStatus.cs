namespace Dcu.Drivers.Modbus;

/// <summary>Outcome of a peek-then-commit parse.</summary>
public enum FrameStatus
{
    /// <summary>More bytes are needed; nothing was consumed.</summary>
    Incomplete,

    /// <summary>A whole frame was parsed; <c>consumed</c> bytes belong to it.</summary>
    Complete,

    /// <summary>The bytes are not the expected frame; nothing was consumed, the reason is a <see cref="FrameError"/>.</summary>
    Error,
}
