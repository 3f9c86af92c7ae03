using Dcu.Core.Model;
using Dcu.Drivers.Modbus;
using Dcu.Drivers.Simulation;
using static Dcu.Drivers.Tests.Profiles.TestData;

namespace Dcu.Drivers.Tests.Simulation;

/// <summary>
/// An open <see cref="SimulatedRtuBus"/> that answers the spec vectors of <see cref="Modbus.ModbusVectors"/>.
/// Unit 1 (<see cref="Sdm"/>): an SDM630 pinned to 230.2 V and 1234.5 kWh, strict addressing, FC 04 only
/// for measurements and FC 06/16 for its settings at 0x0001..0x0002. Unit 0x11 (<see cref="Abb"/>): an
/// ABB B23 with the holding registers of the spec's FC 03 example at 0x006B and settings at 0x0001..0x0002.
/// </summary>
internal sealed record SpecExampleBus(SimulatedRtuBus Bus, SimulatedModbusMeter Sdm, SimulatedModbusMeter Abb)
{
    public static SpecExampleBus Create(TimeProvider time)
    {
        var bus = new SimulatedRtuBus(time);
        var sdm = new SimulatedModbusMeter(1, ShippedProfiles["eastron-sdm630"], time, seed: 7)
        {
            StrictAddressing = true,
            SupportedFunctions = new HashSet<ModbusFunction> { ModbusFunction.ReadInputRegisters, ModbusFunction.WriteSingleRegister, ModbusFunction.WriteMultipleRegisters },
        };
        sdm.Pin(ObisCode.VoltageL1, 230.2);
        sdm.Pin(ObisCode.ActiveEnergyImport, 1234.5);
        sdm.DefineHoldingRegisters(0x0001, 0, 0);
        bus.Attach(sdm);
        var abb = new SimulatedModbusMeter(0x11, ShippedProfiles["abb-b23"], time, seed: 8);
        abb.DefineHoldingRegisters(0x0001, 0, 0);
        abb.DefineHoldingRegisters(0x006B, 0x022B, 0x0000, 0x0064);
        bus.Attach(abb);
        bus.OpenAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return new SpecExampleBus(bus, sdm, abb);
    }
}
