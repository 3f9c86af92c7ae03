using System.Globalization;
using Dcu.Core.Abstractions;
using Dcu.Core.Model;
using Dcu.Drivers.Links;
using Dcu.Drivers.Modbus;
using Dcu.Drivers.Profiles;
using Dcu.Drivers.Simulation;
using Dcu.Host.Configuration;
using Microsoft.Extensions.Logging;

namespace Dcu.Host.Runtime;

/// <summary>Builds each configured bus: link, master and meter reader, plus the simulated meters of simulated buses.</summary>
public sealed class MeterBusFactory(IReadOnlyDictionary<string, MeterProfile> profiles, TimeProvider time, ILoggerFactory loggers)
{
    public IReadOnlyList<MeterBus> Create(DcuSettings settings)
    {
        var buses = new List<MeterBus>();
        foreach (var options in settings.Buses)
        {
            var meters = settings.Meters
                .Where(m => string.Equals(m.Bus, options.Name, StringComparison.Ordinal))
                .Select(m => new Meter(new MeterId(m.Id), m.Bus, Protocol(options.Type), m.Address, m.Profile) { Turnaround = m.Turnaround })
                .ToArray();
            var link = CreateLink(options, meters);
            IModbusMaster master = options.Type == BusType.ModbusTcp
                ? new ModbusTcpMaster(link, new ModbusTcpMasterOptions { ResponseTimeout = options.ResponseTimeout, Retries = options.Retries, TimeProvider = time }, loggers.CreateLogger<ModbusTcpMaster>())
                : new ModbusRtuMaster(link, new ModbusRtuMasterOptions { ResponseTimeout = options.ResponseTimeout, Retries = options.Retries, TimeProvider = time }, loggers.CreateLogger<ModbusRtuMaster>());
            buses.Add(new MeterBus(options.Name, link, new ModbusMeterReader(master, profiles), meters, () => ModbusErrors(master)));
        }
        return buses;
    }

    private IByteLink CreateLink(BusOptions options, IReadOnlyList<Meter> meters)
    {
        switch (options.Type)
        {
            case BusType.ModbusTcp:
                return new TcpByteLink(new TcpLinkOptions { Host = options.Host!, Port = options.TcpPort }, loggers.CreateLogger<TcpByteLink>());
            case BusType.SimulatedModbusRtu:
                var bus = new SimulatedRtuBus(time, "sim:" + options.Name, options.BaudRate);
                foreach (var m in meters)
                {
                    var unit = byte.Parse(m.Address, CultureInfo.InvariantCulture);
                    // Seeded by the meter id so a restarted demo shows the same site.
                    bus.Attach(new SimulatedModbusMeter(unit, profiles[m.Profile], time, StableSeed(m.Id.Value)));
                }
                return bus;
            default:
                return new SerialByteLink(new SerialLinkOptions
                {
                    PortName = options.Port!,
                    BaudRate = options.BaudRate,
                    Parity = options.Parity,
                    StopBits = options.StopBits,
                    DataBits = options.DataBits,
                    Rs485Mode = options.Rs485Mode,
                }, loggers.CreateLogger<SerialByteLink>());
        }
    }

    private static Dictionary<string, long> ModbusErrors(IModbusMaster master)
    {
        var c = master.Counters.Snapshot();
        return new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["timeouts"] = c.Timeouts,
            ["crc"] = c.CrcErrors,
            ["frame"] = c.FrameErrors,
            ["exceptions"] = c.Exceptions,
            ["late"] = c.LateReplies,
        };
    }

    private static MeterProtocol Protocol(BusType type) => type == BusType.ModbusTcp ? MeterProtocol.ModbusTcp : MeterProtocol.ModbusRtu;

    private static int StableSeed(string text)
    {
        var h = 17;
        foreach (var c in text) h = unchecked((h * 31) + c);
        return h;
    }
}
