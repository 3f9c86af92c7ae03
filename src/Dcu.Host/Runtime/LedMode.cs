namespace Dcu.Host.Runtime;

/// <summary>What one status LED shows.</summary>
public enum LedMode
{
    Off,
    On,

    /// <summary>1 Hz, 50 % duty.</summary>
    Blink,
}
