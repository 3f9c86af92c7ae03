using Dcu.Drivers.Modbus;

namespace Dcu.Drivers.Profiles;

/// <summary>
/// The optional "relay" section of a meter profile: how the DCU switches the meter's supply relay
/// (or its load-control output) and reads it back, as Modbus registers.
/// </summary>
/// <param name="WriteFunction">FC 06 (write single register) or FC 16 (write multiple, one register).</param>
/// <param name="WriteAddress">The register written.</param>
/// <param name="DisconnectValue">Value written to open the relay.</param>
/// <param name="ConnectValue">Value written to close it.</param>
/// <param name="StateFunction">FC 03 or 04: where the state is read back.</param>
/// <param name="StateAddress">The register holding the state.</param>
/// <param name="ConnectedValue">State value meaning closed (supply on).</param>
/// <param name="DisconnectedValue">State value meaning open; null: anything but <paramref name="ConnectedValue"/>.</param>
public sealed record RelayMap(
    ModbusFunction WriteFunction,
    ushort WriteAddress,
    ushort DisconnectValue,
    ushort ConnectValue,
    ModbusFunction StateFunction,
    ushort StateAddress,
    ushort ConnectedValue,
    ushort? DisconnectedValue)
{
    /// <summary>What a state register value means: connected, disconnected, or unknown (a value neither named).</summary>
    public Dcu.Core.Abstractions.RelayState StateOf(ushort value) =>
        value == ConnectedValue ? Dcu.Core.Abstractions.RelayState.Connected
        : DisconnectedValue is null || value == DisconnectedValue ? Dcu.Core.Abstractions.RelayState.Disconnected
        : Dcu.Core.Abstractions.RelayState.Unknown;
}
