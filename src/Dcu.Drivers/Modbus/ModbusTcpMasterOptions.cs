namespace Dcu.Drivers.Modbus;

/// <summary>Settings of <see cref="ModbusTcpMaster"/>.</summary>
public sealed class ModbusTcpMasterOptions : ModbusMasterOptions
{
    /// <summary>First transaction id; later requests increment it (wrapping at 65535).</summary>
    public ushort FirstTransactionId { get; set; } = 1;
}
