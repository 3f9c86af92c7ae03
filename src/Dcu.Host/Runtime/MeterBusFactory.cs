using System.Globalization;
using Dcu.Core.Abstractions;
using Dcu.Core.Model;
using Dcu.Drivers.Dlt645;
using Dcu.Drivers.Links;
using Dcu.Drivers.Modbus;
using Dcu.Drivers.Plc;
using Dcu.Drivers.Profiles;
using Dcu.Drivers.Simulation;
using Dcu.Host.Configuration;
using Microsoft.Extensions.Logging;

namespace Dcu.Host.Runtime;

/// <summary>Builds each configured bus: link, protocol client and meter reader, plus the simulated meters of simulated buses.</summary>
public sealed class MeterBusFactory(IReadOnlyDictionary<string, MeterProfile> profiles, TimeProvider time, ILoggerFactory loggers)
{
    public IReadOnlyList<MeterBus> Create(DcuSettings settings) =>
        settings.Buses.Select(options => Create(options, settings.Meters
            .Where(m => string.Equals(m.Bus, options.Name, StringComparison.Ordinal))
            .Select(m => new Meter(new MeterId(m.Id), m.Bus, MeterEntryRules.Protocol(options), m.Address, m.Profile) { Turnaround = m.Turnaround })
            .ToArray())).ToArray();

    private MeterBus Create(BusOptions options, IReadOnlyList<Meter> meters)
    {
        if (options.IsPlc) return CreatePlc(options, meters);
        IByteLink link = options.Type switch
        {
            BusType.ModbusTcp => new TcpByteLink(new TcpLinkOptions { Host = options.Host!, Port = options.TcpPort }, loggers.CreateLogger<TcpByteLink>()),
            BusType.SimulatedModbusRtu => SimulatedModbus(options, meters),
            BusType.SimulatedDlt645 => SimulatedDlt645(options, meters),
            _ => Serial(options),
        };
        if (options.IsDlt645)
        {
            var client = new Dlt645Client(link, new Dlt645ClientOptions { ResponseTimeout = options.EffectiveResponseTimeout, Retries = options.Retries, TimeProvider = time }, loggers.CreateLogger<Dlt645Client>());
            return new LinkBus(options.Name, meters, link, new Dlt645MeterReader(client, loggers.CreateLogger<Dlt645MeterReader>())
            {
                MeterUtcOffset = options.EffectiveMeterUtcOffset,
                TimeProvider = time,
                Control = options.ControlSettings($"Buses '{options.Name}'"), // passwords: validated at start, never logged
            }, () => Dlt645Errors(client));
        }
        IModbusMaster master = options.Type == BusType.ModbusTcp
            ? new ModbusTcpMaster(link, new ModbusTcpMasterOptions { ResponseTimeout = options.EffectiveResponseTimeout, Retries = options.Retries, TimeProvider = time }, loggers.CreateLogger<ModbusTcpMaster>())
            : new ModbusRtuMaster(link, new ModbusRtuMasterOptions { ResponseTimeout = options.EffectiveResponseTimeout, Retries = options.Retries, TimeProvider = time }, loggers.CreateLogger<ModbusRtuMaster>());
        return new LinkBus(options.Name, meters, link, new ModbusMeterReader(master, profiles), () => ModbusErrors(master));
    }

    private PlcBus CreatePlc(BusOptions options, IReadOnlyList<Meter> meters)
    {
        var mainNode = PlcAddress.Parse(options.MainNodeAddress);
        IByteLink link;
        Action<Meter>? attach = null;
        if (options.Type == BusType.SimulatedPlc)
        {
            var module = new SimulatedPlcModule(time, new SimulatedPlcModuleOptions
            {
                ForwardLatencyMin = options.Simulation.LatencyMin,
                ForwardLatencyMax = options.Simulation.LatencyMax,
                DropRate = options.Simulation.LossRate,
                MaxConcurrentForwards = options.MaxConcurrency,
                Seed = StableSeed(options.Name),
            }, "sim:" + options.Name);
            var site = new SimulatedSiteOptions { NominalVoltage = 220, UtcOffset = options.EffectiveMeterUtcOffset };
            // Also for meters added by command later: the simulated power line gets a meter that answers.
            attach = m =>
            {
                var meter = new SimulatedDlt645Meter(Dlt645Address.Parse(m.Address), time, StableSeed(m.Id.Value), site) { MaxBroadcastCorrection = TimeSpan.FromMinutes(5) };
                module.AddMeter(m.Address, frame => meter.Respond(frame.Span));
            };
            foreach (var m in meters) attach(m);
            link = module;
        }
        else
        {
            link = Serial(options);
        }
        var driver = new PlcModule(link, new PlcModuleOptions
        {
            MainNodeAddress = mainNode,
            ForwardTimeout = options.EffectiveResponseTimeout,
            ForwardRetries = options.Retries,
            MaxConcurrent = options.MaxConcurrency,
            TimeProvider = time,
        }, loggers.CreateLogger<PlcModule>());
        // Missed days are read back from the meters' daily freezes, placed in UTC with the meters' offset.
        var protocol = new Dlt645PlcProtocol
        {
            CatchUp = new Dlt645FrozenCatchUp { MeterUtcOffset = options.EffectiveMeterUtcOffset, TimeProvider = time },
            MeterUtcOffset = options.EffectiveMeterUtcOffset,
            TimeProvider = time,
            Control = options.ControlSettings($"Buses '{options.Name}'"),
        };
        return new PlcBus(options.Name, meters, driver, protocol, link.Name, options.MaxConcurrency, attach);
    }

    private SerialByteLink Serial(BusOptions options) => new(new SerialLinkOptions
    {
        PortName = options.Port!,
        BaudRate = options.EffectiveBaudRate,
        Parity = options.EffectiveParity,
        StopBits = options.StopBits,
        DataBits = options.DataBits,
        Rs485Mode = options.Rs485Mode,
    }, loggers.CreateLogger<SerialByteLink>());

    private SimulatedRtuBus SimulatedModbus(BusOptions options, IReadOnlyList<Meter> meters)
    {
        var bus = new SimulatedRtuBus(time, "sim:" + options.Name, options.EffectiveBaudRate);
        foreach (var m in meters)
            bus.Attach(new SimulatedModbusMeter(byte.Parse(m.Address, CultureInfo.InvariantCulture), profiles[m.Profile], time, StableSeed(m.Id.Value)));
        return bus;
    }

    private SimulatedDlt645Bus SimulatedDlt645(BusOptions options, IReadOnlyList<Meter> meters)
    {
        var bus = new SimulatedDlt645Bus(time, "sim:" + options.Name, options.EffectiveBaudRate);
        var site = new SimulatedSiteOptions { NominalVoltage = 220, UtcOffset = options.EffectiveMeterUtcOffset };
        foreach (var m in meters) bus.Attach(new SimulatedDlt645Meter(Dlt645Address.Parse(m.Address), time, StableSeed(m.Id.Value), site) { MaxBroadcastCorrection = TimeSpan.FromMinutes(5) });
        return bus;
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

    private static Dictionary<string, long> Dlt645Errors(Dlt645Client client)
    {
        var c = client.Counters.Snapshot();
        return new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["timeouts"] = c.Timeouts,
            ["checksum"] = c.ChecksumErrors,
            ["frame"] = c.FrameErrors,
            ["wrongAddress"] = c.WrongAddress,
            ["errorReplies"] = c.ErrorReplies,
        };
    }

    // Seeded by name so a restarted demo shows the same site.
    private static int StableSeed(string text)
    {
        var h = 17;
        foreach (var c in text) h = unchecked((h * 31) + c);
        return h;
    }
}
