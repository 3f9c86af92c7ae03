using Dcu.Drivers.Modbus;

namespace Dcu.Drivers.Tests.Modbus;

/// <summary>The verified frames of /work/shared/protocols/modbus.md, by case name.</summary>
internal static class ModbusVectors
{
    public sealed record Case(ModbusRequest Request, string RequestHex, string ReplyHex, string? DataHex, ModbusExceptionCode? Exception = null);

    public static readonly IReadOnlyDictionary<string, Case> Rtu = new Dictionary<string, Case>
    {
        ["fc04_0000_x2"] = new(ModbusRequest.Read(1, ModbusFunction.ReadInputRegisters, 0x0000, 2),
            "01 04 00 00 00 02 71 CB", "01 04 04 43 66 33 33 5A FA", "43 66 33 33"),
        ["fc04_0048_x2"] = new(ModbusRequest.Read(1, ModbusFunction.ReadInputRegisters, 0x0048, 2),
            "01 04 00 48 00 02 F1 DD", "01 04 04 44 9A 50 00 F3 5B", "44 9A 50 00"),
        ["fc03_unit11_006B_x3"] = new(ModbusRequest.Read(0x11, ModbusFunction.ReadHoldingRegisters, 0x006B, 3),
            "11 03 00 6B 00 03 76 87", "11 03 06 02 2B 00 00 00 64 C8 BA", "02 2B 00 00 00 64"),
        ["fc06"] = new(ModbusRequest.WriteSingle(1, 0x0001, 0x0003),
            "01 06 00 01 00 03 98 0B", "01 06 00 01 00 03 98 0B", ""),
        ["fc16"] = new(ModbusRequest.WriteMultiple(1, 0x0001, 2),
            "01 10 00 01 00 02 04 00 0A 01 02 92 30", "01 10 00 01 00 02 10 08", ""),
        ["exception_fc04_02"] = new(ModbusRequest.Read(1, ModbusFunction.ReadInputRegisters, 0x0000, 2),
            "01 04 00 00 00 02 71 CB", "01 84 02 C2 C1", null, ModbusExceptionCode.IllegalDataAddress),
        ["exception_fc03_01"] = new(ModbusRequest.Read(1, ModbusFunction.ReadHoldingRegisters, 0x0000, 1),
            "", "01 83 01 80 F0", null, ModbusExceptionCode.IllegalFunction),
    };

    public static TheoryData<string> RtuCases()
    {
        var data = new TheoryData<string>();
        foreach (var name in Rtu.Keys)
        {
            data.Add(name);
        }

        return data;
    }
}
