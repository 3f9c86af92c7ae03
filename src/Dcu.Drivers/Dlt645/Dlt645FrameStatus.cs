namespace Dcu.Drivers.Dlt645;

/// <summary>Outcome of a peek-then-commit parse.</summary>
public enum Dlt645FrameStatus
{
    /// <summary>More bytes are needed; nothing was consumed.</summary>
    Incomplete,

    /// <summary>A whole frame was parsed; <c>consumed</c> bytes (wake-up FE bytes included) belong to it.</summary>
    Complete,

    /// <summary>The bytes are not the expected frame; nothing was consumed, the reason is a <see cref="Dlt645FrameError"/>.</summary>
    Error,
}
