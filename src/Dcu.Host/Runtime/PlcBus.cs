using Dcu.Core.Abstractions;
using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Dcu.Drivers.Plc;

namespace Dcu.Host.Runtime;

/// <summary>
/// Meters behind a PLC module: at start the module is initialised, given the DCU's address as its
/// main node, and its route table is made equal to the meter archive of this bus.
/// </summary>
internal sealed class PlcBus(string name, IReadOnlyList<Meter> meters, PlcModule module, Dlt645PlcProtocol protocol, string linkName, int maxConcurrency)
    : MeterBus(name, meters)
{
    private readonly PlcMeterReader _reader = new(module, protocol);

    public PlcModule Module => module;

    public override IMeterReader Reader => _reader;

    public override string LinkName => linkName;

    public override int MaxConcurrency => maxConcurrency;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await module.StartAsync(cancellationToken);
        await module.SyncArchiveAsync(Meters.Select(m => m.Address).ToArray(), cancellationToken);
    }

    public override async Task RunEventsAsync(IOutboxWriter outbox, CancellationToken cancellationToken)
    {
        var byAddress = Meters.ToDictionary(m => m.Address, m => m.Id, StringComparer.Ordinal);
        try
        {
            await foreach (var e in module.Events.ReadAllAsync(cancellationToken))
                if (PlcEventMapper.ToMeterEvent(e, Name, byAddress) is { } meterEvent)
                    await outbox.AppendAsync(meterEvent, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public override IReadOnlyDictionary<string, long> ErrorCounters()
    {
        var c = module.Counters.Snapshot();
        return new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["timeouts"] = c.Timeouts,
            ["denies"] = c.Denies,
            ["frame"] = c.BadFrames,
            ["wrongAddress"] = c.WrongAddress,
            ["moduleResets"] = c.ModuleResets,
        };
    }

    public override ValueTask DisposeAsync() => module.DisposeAsync();
}
