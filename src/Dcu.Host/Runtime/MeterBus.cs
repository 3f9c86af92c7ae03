using Dcu.Core.Abstractions;
using Dcu.Core.Model;
using Dcu.Core.Outbox;

namespace Dcu.Host.Runtime;

/// <summary>
/// One bus as wired: the meters on it, the protocol reader the bus worker calls, what has to
/// happen before the first read (open a port, bring up a PLC module), and the protocol's error
/// counters for the heartbeat ("timeouts", "crc", ...). The bus owns its link.
/// </summary>
public abstract class MeterBus(string name, IReadOnlyList<Meter> meters) : IAsyncDisposable
{
    public string Name { get; } = name;

    public IReadOnlyList<Meter> Meters { get; } = meters;

    public abstract IMeterReader Reader { get; }

    /// <summary>What the bus talks through, for logs ("/dev/ttyUSB0", "sim:plc-1").</summary>
    public abstract string LinkName { get; }

    /// <summary>Requests the bus worker may have in flight: 1 on a serial line.</summary>
    public virtual int MaxConcurrency => 1;

    public abstract Task StartAsync(CancellationToken cancellationToken);

    /// <summary>What the bus reports on its own (PLC module events), into the outbox until stopped; most buses report nothing.</summary>
    public virtual Task RunEventsAsync(IOutboxWriter outbox, CancellationToken cancellationToken) => Task.CompletedTask;

    public abstract IReadOnlyDictionary<string, long> ErrorCounters();

    public abstract ValueTask DisposeAsync();
}

/// <summary>Meters reached through a byte link the DCU talks on directly: RS485 (Modbus RTU, DL/T 645) or a Modbus TCP gateway.</summary>
internal sealed class LinkBus(string name, IReadOnlyList<Meter> meters, IByteLink link, IMeterReader reader, Func<IReadOnlyDictionary<string, long>> errors)
    : MeterBus(name, meters)
{
    public override IMeterReader Reader => reader;

    public override string LinkName => link.Name;

    public override Task StartAsync(CancellationToken cancellationToken) => link.OpenAsync(cancellationToken).AsTask();

    public override IReadOnlyDictionary<string, long> ErrorCounters() => errors();

    public override ValueTask DisposeAsync() => link.DisposeAsync();
}
