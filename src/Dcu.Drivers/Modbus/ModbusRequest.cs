namespace Dcu.Drivers.Modbus;

/// <summary>
/// What a reply is checked against: unit, function and the echoed fields (start address and
/// quantity for reads and FC16, address and value for FC06). It does not carry the values to write.
/// </summary>
public readonly record struct ModbusRequest
{
    private ModbusRequest(byte unit, ModbusFunction function, ushort address, ushort quantity, ushort value)
    {
        Unit = unit;
        Function = function;
        Address = address;
        Quantity = quantity;
        Value = value;
    }

    public byte Unit { get; }

    public ModbusFunction Function { get; }

    /// <summary>Start address (reads, FC16) or register address (FC06).</summary>
    public ushort Address { get; }

    /// <summary>Number of registers (reads, FC16); 1 for FC06.</summary>
    public ushort Quantity { get; }

    /// <summary>The value written by FC06; 0 otherwise.</summary>
    public ushort Value { get; }

    /// <summary>FC03/FC04 read of <paramref name="quantity"/> registers from <paramref name="start"/>.</summary>
    public static ModbusRequest Read(byte unit, ModbusFunction function, ushort start, ushort quantity)
    {
        if (function is not (ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters))
        {
            throw new ArgumentOutOfRangeException(nameof(function), function, "Only FC03 and FC04 read registers.");
        }

        return new ModbusRequest(unit, function, start, quantity, 0);
    }

    /// <summary>FC06 write of <paramref name="value"/> at <paramref name="address"/>.</summary>
    public static ModbusRequest WriteSingle(byte unit, ushort address, ushort value) =>
        new(unit, ModbusFunction.WriteSingleRegister, address, 1, value);

    /// <summary>FC16 write of <paramref name="quantity"/> registers from <paramref name="start"/>.</summary>
    public static ModbusRequest WriteMultiple(byte unit, ushort start, ushort quantity) =>
        new(unit, ModbusFunction.WriteMultipleRegisters, start, quantity, 0);
}
