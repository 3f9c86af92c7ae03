using Dcu.Core.Model;
using Dcu.Drivers.Modbus;

namespace Dcu.Drivers.Profiles;

/// <summary>
/// One quantity of a meter's register map: where it is and how to turn its registers into a value
/// in engineering units: <c>value = raw * Scale</c>, in <see cref="Unit"/>.
/// </summary>
/// <param name="Obis">Quantity, e.g. 1.0.32.7.0 (voltage L1).</param>
/// <param name="Address">Protocol (0-based) address of the first register, e.g. 0x0048 for Eastron "30073".</param>
/// <param name="Function">FC 03 (holding) or FC 04 (input) registers.</param>
/// <param name="Type">Encoding of the raw value.</param>
/// <param name="WordOrder">Word order of multi-register types.</param>
/// <param name="Scale">Multiplier from raw to engineering units (0.1 for a value sent in tenths).</param>
/// <param name="Unit">Engineering unit of the scaled value ("V", "A", "W", "kWh", "Hz", ...).</param>
public sealed record RegisterMapEntry(
    ObisCode Obis,
    ushort Address,
    ModbusFunction Function,
    RegisterType Type,
    WordOrder WordOrder,
    double Scale,
    string Unit)
{
    /// <summary>Registers the value occupies.</summary>
    public int WordCount => Type.WordCount();

    /// <summary>One past the last register (may be 65536 for a value at the top of the map).</summary>
    public int EndAddress => Address + WordCount;
}
