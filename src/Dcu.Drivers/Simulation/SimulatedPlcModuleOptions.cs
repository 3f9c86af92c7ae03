using Dcu.Drivers.Plc;

namespace Dcu.Drivers.Simulation;

/// <summary>How a <see cref="SimulatedPlcModule"/> behaves.</summary>
public sealed record SimulatedPlcModuleOptions
{
    /// <summary>Main node address at power-up (a fresh module: all zero).</summary>
    public PlcAddress MainNodeAddress { get; init; } = PlcAddress.Parse("000000000000");

    public PlcModuleInfo Info { get; init; } = new("SM", "01", new DateOnly(2024, 5, 17), "0102");

    public Q13762Edition Edition { get; init; } = Q13762Edition.V2013;

    public Q13762CommMode CommMode { get; init; } = Q13762CommMode.NarrowbandCentralised;

    /// <summary>Relay latency, uniformly random in [min, max], on the module's <see cref="TimeProvider"/>.</summary>
    public TimeSpan ForwardLatencyMin { get; init; }

    public TimeSpan ForwardLatencyMax { get; init; }

    /// <summary>Fraction (0..1) of relays whose answer is lost on the power line.</summary>
    public double DropRate { get; init; }

    public int Seed { get; init; } = 1376;

    /// <summary>Relays handled at once; one more is denied "main node busy" (09H).</summary>
    public int MaxConcurrentForwards { get; init; } = 1;

    /// <summary>Deny relays to nodes not in the route table with 0CH (slave node not in network).</summary>
    public bool RequireRouteEntry { get; init; } = true;

    public int MaxSlaveNodes { get; init; } = 1024;

    /// <summary>Carry out AFN 05 F3 (start broadcast); when false it is denied "unsupported" (0AH) like on modules without it.</summary>
    public bool SupportsBroadcast { get; init; } = true;

    /// <summary>How long a broadcast takes on the power line: announced in the confirm's wait time (whole seconds) and only then heard by the meters.</summary>
    public TimeSpan BroadcastDuration { get; init; }

    /// <summary>Slave-monitor timeout announced in AFN 03 F10.</summary>
    public TimeSpan SlaveMonitorTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Split every outgoing frame into reads of at most this many bytes; 0 delivers whole frames.</summary>
    public int ReplyChunkSize { get; init; }
}
