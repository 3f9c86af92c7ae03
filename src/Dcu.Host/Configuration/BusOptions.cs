using Dcu.Drivers.Links;

namespace Dcu.Host.Configuration;

/// <summary>One entry of section "Buses": a serial line, a Modbus TCP gateway, or a simulated line.</summary>
public sealed class BusOptions
{
    public string Name { get; set; } = "";

    public BusType Type { get; set; } = BusType.ModbusRtu;

    /// <summary>Serial device for RTU buses, e.g. /dev/ttyAMA0 or /dev/ttyUSB0.</summary>
    public string? Port { get; set; }

    public int BaudRate { get; set; } = 9600;

    public SerialParity Parity { get; set; } = SerialParity.None;

    /// <summary>1 or 2.</summary>
    public int StopBits { get; set; } = 1;

    public int DataBits { get; set; } = 8;

    /// <summary>Use the kernel's RS485 mode (TIOCSRS485) for the driver-enable line where the UART supports it.</summary>
    public bool Rs485Mode { get; set; }

    /// <summary>Gateway host for Modbus TCP buses.</summary>
    public string? Host { get; set; }

    public int TcpPort { get; set; } = 502;

    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(1);

    public int Retries { get; set; } = 2;
}

public enum BusType
{
    ModbusRtu,
    ModbusTcp,
    /// <summary>Simulated RS485 line with virtual meters speaking real Modbus RTU bytes (demo and tests).</summary>
    SimulatedModbusRtu,
}
