namespace Dcu.Host.Technician;

/// <summary>How a console session ended.</summary>
public enum ConsoleSessionEnd
{
    /// <summary>logout / exit.</summary>
    Logout,
    /// <summary>No input for Console:IdleTimeout while logged in.</summary>
    Idle,
    /// <summary>The line closed (stdin at its end, the device gone): no further session on it.</summary>
    InputClosed,
}
