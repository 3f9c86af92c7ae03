namespace Dcu.Drivers.Modbus;

/// <summary>
/// A parsed reply that matched its request. Either an exception response (<see cref="IsException"/>,
/// <see cref="ExceptionCode"/>) or a normal one; for reads <see cref="Data"/> holds the register
/// bytes (big-endian words, 2 x quantity), for writes it is empty (the echo was checked).
/// <see cref="Data"/> points into the parsed buffer.
/// </summary>
public readonly ref struct ModbusResponse
{
    internal ModbusResponse(byte unit, ModbusFunction function, ReadOnlySpan<byte> data)
    {
        Unit = unit;
        Function = function;
        Data = data;
    }

    internal ModbusResponse(byte unit, ModbusFunction function, ModbusExceptionCode exceptionCode)
    {
        Unit = unit;
        Function = function;
        IsException = true;
        ExceptionCode = exceptionCode;
    }

    public byte Unit { get; }

    /// <summary>The request's function (without the 0x80 exception bit).</summary>
    public ModbusFunction Function { get; }

    public bool IsException { get; }

    /// <summary>Meaningful only when <see cref="IsException"/>; unknown codes are kept as their raw value.</summary>
    public ModbusExceptionCode ExceptionCode { get; }

    public ReadOnlySpan<byte> Data { get; }
}
