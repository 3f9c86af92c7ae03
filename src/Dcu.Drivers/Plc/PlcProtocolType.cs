namespace Dcu.Drivers.Plc;

/// <summary>The protocol of a relayed meter frame (AFN 13 F1, AFN 11 F1, AFN 06 reports).</summary>
public enum PlcProtocolType : byte
{
    Transparent = 0x00,
    Dlt645_1997 = 0x01,
    Dlt645_2007 = 0x02,
    Dlt698_45 = 0x03,
}
