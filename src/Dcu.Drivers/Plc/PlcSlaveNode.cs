namespace Dcu.Drivers.Plc;

/// <summary>
/// One entry of the module's slave node (route) table as AFN 10 F2 lists it: address and the two
/// node-information bytes (low byte: D7..D4 signal quality, D3..D0 relay level; high byte: D2..D0 phase, D5..D3 protocol).
/// </summary>
public readonly record struct PlcSlaveNode(PlcAddress Address, ushort Info = 0)
{
    public int RelayLevel => Info & 0x0F;

    public int SignalQuality => (Info >> 4) & 0x0F;

    public int Phase => (Info >> 8) & 0x07;

    public PlcProtocolType Protocol => (PlcProtocolType)((Info >> 11) & 0x07);
}
