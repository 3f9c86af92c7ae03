namespace Dcu.Drivers.Cellular;

/// <summary>Outcome of <see cref="AtLineFramer.TryRead"/>.</summary>
public enum AtFrameStatus
{
    /// <summary>No line terminator yet; nothing was consumed.</summary>
    Incomplete,

    /// <summary>A whole line; <c>consumed</c> covers the empty lines before it and its terminator.</summary>
    Line,

    /// <summary>The bytes are no AT text line; <c>consumed</c> is how many to drop, the reason an <see cref="AtFormatError"/>.</summary>
    Error,
}
