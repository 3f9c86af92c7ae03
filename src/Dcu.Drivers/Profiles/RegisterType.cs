namespace Dcu.Drivers.Profiles;

/// <summary>How a value is stored in Modbus registers (16-bit words).</summary>
public enum RegisterType
{
    /// <summary>IEEE 754 single precision, two registers.</summary>
    Float32,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
}

public static class RegisterTypeExtensions
{
    /// <summary>Number of 16-bit registers the type occupies.</summary>
    public static int WordCount(this RegisterType type) => type switch
    {
        RegisterType.Int16 or RegisterType.UInt16 => 1,
        RegisterType.Float32 or RegisterType.Int32 or RegisterType.UInt32 => 2,
        RegisterType.Int64 or RegisterType.UInt64 => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown register type"),
    };
}
