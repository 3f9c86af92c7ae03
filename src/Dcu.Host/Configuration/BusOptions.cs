using Dcu.Drivers.Dlt645;
using Dcu.Drivers.Links;

namespace Dcu.Host.Configuration;

/// <summary>
/// One entry of section "Buses": an RS485 line (Modbus RTU or DL/T 645), a Modbus TCP gateway,
/// a PLC module on a UART, or a simulated one of these. Unset serial settings take the usual
/// values of the bus type (Modbus 9600 8N1, DL/T 645 2400 8E1, PLC module 9600 8E1).
/// </summary>
public sealed class BusOptions
{
    public string Name { get; set; } = "";

    public BusType Type { get; set; } = BusType.ModbusRtu;

    /// <summary>Serial device, e.g. /dev/ttyAMA0 or /dev/ttyUSB0.</summary>
    public string? Port { get; set; }

    public int? BaudRate { get; set; }

    public SerialParity? Parity { get; set; }

    /// <summary>1 or 2.</summary>
    public int StopBits { get; set; } = 1;

    public int DataBits { get; set; } = 8;

    /// <summary>Use the kernel's RS485 mode (TIOCSRS485) for the driver-enable line where the UART supports it.</summary>
    public bool Rs485Mode { get; set; }

    /// <summary>Gateway host for Modbus TCP buses.</summary>
    public string? Host { get; set; }

    public int TcpPort { get; set; } = 502;

    /// <summary>How long to wait for a meter's reply: 1 s on RS485 and TCP, 15 s through a PLC module unless set.</summary>
    public TimeSpan? ResponseTimeout { get; set; }

    /// <summary>Extra attempts per request on timeouts and bad frames.</summary>
    public int Retries { get; set; } = 1;

    /// <summary>Requests in flight at once: 1 on a serial line (always); up to what the PLC module supports.</summary>
    public int MaxConcurrency { get; set; } = 1;

    /// <summary>PLC: the DCU's own 12-digit address, set as the module's main node.</summary>
    public string MainNodeAddress { get; set; } = "000000000001";

    /// <summary>
    /// DL/T 645 and PLC buses: the meters' clock offset from UTC, to place their daily freeze times (meter
    /// local time) when re-reading missed intervals. Meters in China usually run on UTC+8
    /// ("08:00:00"). Unset: 0 on a real bus, UTC+8 on a simulated one (the simulated meters' clock).
    /// </summary>
    public TimeSpan? MeterUtcOffset { get; set; }

    /// <summary>
    /// DL/T 645 and PLC buses: the password for relay control (1CH), 8 hex digits, the level first:
    /// "02123456" = level 02, password 123456. A secret: never logged or echoed in an error. Unset: the
    /// DCU does not switch relays on this bus (relay commands are refused up front); on a simulated bus
    /// the simulated meters' "02000000".
    /// </summary>
    public string? RelayPassword { get; set; }

    /// <summary>DL/T 645 and PLC buses: the password for writing meter clocks (14H), same form. Unset: <see cref="RelayPassword"/>.</summary>
    public string? ClockPassword { get; set; }

    /// <summary>DL/T 645 and PLC buses: the operator code (C0..C3) the meters record with each command, 8 hex digits. Default "00000000".</summary>
    public string? OperatorCode { get; set; }

    /// <summary>
    /// DL/T 645 and PLC buses: what "relay.connect" sends. CloseDirect (1CH, default) closes the relay at
    /// once; ClosePermitted (1BH) lets the customer close it with the meter's button, so the read-back
    /// stays "disconnected" until then (for sites that must not energise an installation remotely).
    /// </summary>
    public Dlt645RelayCommand? RelayConnect { get; set; }

    /// <summary>Simulated PLC buses: how the simulated power line behaves.</summary>
    public SimulatedLineOptions Simulation { get; set; } = new();

    public bool IsSimulated => Type is BusType.SimulatedModbusRtu or BusType.SimulatedDlt645 or BusType.SimulatedPlc;

    public bool IsPlc => Type is BusType.Plc or BusType.SimulatedPlc;

    public bool IsDlt645 => Type is BusType.Dlt645 or BusType.SimulatedDlt645;

    public bool IsSerial => Type is not BusType.ModbusTcp;

    public int EffectiveBaudRate => BaudRate ?? (IsDlt645 ? 2400 : 9600);

    public SerialParity EffectiveParity => Parity ?? (IsDlt645 || IsPlc ? SerialParity.Even : SerialParity.None);

    public TimeSpan EffectiveMeterUtcOffset => MeterUtcOffset ?? (Type is BusType.SimulatedDlt645 or BusType.SimulatedPlc ? TimeSpan.FromHours(8) : TimeSpan.Zero);

    /// <summary>The simulated meters' password when a simulated bus sets none (see <see cref="RelayPassword"/>).</summary>
    public const string SimulatedMeterPassword = "02000000";

    public string? EffectiveRelayPassword => RelayPassword ?? (Type is BusType.SimulatedDlt645 or BusType.SimulatedPlc ? SimulatedMeterPassword : null);

    /// <summary>The control settings for the DL/T 645 readers; call after validation (bad values throw <see cref="FormatException"/> naming the key).</summary>
    public Dlt645ControlSettings ControlSettings(string key) => new()
    {
        RelayPassword = EffectiveRelayPassword is { } relay ? Dlt645ControlSettings.ParsePassword(relay, $"{key}:RelayPassword") : null,
        ClockPassword = ClockPassword is { } clock ? Dlt645ControlSettings.ParsePassword(clock, $"{key}:ClockPassword") : null,
        OperatorCode = OperatorCode is { } code ? Dlt645ControlSettings.ParseOperatorCode(code, $"{key}:OperatorCode") : 0,
        ConnectCommand = RelayConnect ?? Dlt645RelayCommand.CloseDirect,
    };

    public TimeSpan EffectiveResponseTimeout => ResponseTimeout ?? (IsPlc ? TimeSpan.FromSeconds(15) : TimeSpan.FromSeconds(1));
}

public enum BusType
{
    ModbusRtu,
    ModbusTcp,
    /// <summary>DL/T 645-2007 meters on RS485.</summary>
    Dlt645,
    /// <summary>A power-line-carrier module (Q/GDW 1376.2) on a UART, relaying DL/T 645-2007 to its meters.</summary>
    Plc,
    /// <summary>Simulated RS485 line with virtual Modbus meters speaking real RTU bytes (demo and tests).</summary>
    SimulatedModbusRtu,
    /// <summary>Simulated RS485 line with virtual DL/T 645-2007 meters.</summary>
    SimulatedDlt645,
    /// <summary>Simulated PLC module speaking real Q/GDW 1376.2 bytes, with DL/T 645 meters behind it.</summary>
    SimulatedPlc,
}

/// <summary>How a simulated power line behaves.</summary>
public sealed class SimulatedLineOptions
{
    public TimeSpan LatencyMin { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan LatencyMax { get; set; } = TimeSpan.FromMilliseconds(800);

    /// <summary>Share of frames lost on the line, 0..0.5.</summary>
    public double LossRate { get; set; }
}
