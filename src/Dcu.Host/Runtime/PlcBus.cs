using Dcu.Core.Archive;
using Dcu.Core.Model;
using Dcu.Core.Abstractions;
using Dcu.Core.Outbox;
using Dcu.Drivers.Plc;

namespace Dcu.Host.Runtime;

/// <summary>
/// Meters behind a PLC module: at start the module is initialised, given the DCU's address as its
/// main node, and its route table is made equal to the meter archive of this bus; after every archive
/// change of this bus (<see cref="IBusArchiveSync"/>) it is synced again with all its meters' addresses.
/// </summary>
internal sealed class PlcBus(string name, IReadOnlyList<Meter> meters, PlcModule module, Dlt645PlcProtocol protocol, string linkName, int maxConcurrency,
    Action<Meter>? onMeterAdded = null)
    : MeterBus(name, meters), IBusArchiveSync
{
    private readonly PlcMeterReader _reader = new(module, protocol);
    private volatile Dictionary<string, MeterId> _byAddress = meters.ToDictionary(m => m.Address, m => m.Id, StringComparer.Ordinal);

    public PlcModule Module => module;

    public override IMeterReader Reader => _reader;

    public override string LinkName => linkName;

    public override int MaxConcurrency => maxConcurrency;

    string IBusArchiveSync.Bus => Name;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await module.StartAsync(cancellationToken);
        await module.SyncArchiveAsync(Meters.Select(m => m.Address).ToArray(), cancellationToken);
    }

    public async Task<bool> SyncArchiveAsync(IReadOnlyList<Meter> meters, CancellationToken cancellationToken)
    {
        var before = _byAddress;
        _byAddress = meters.ToDictionary(m => m.Address, m => m.Id, StringComparer.Ordinal); // module events name the new meters from now on
        foreach (var m in meters.Where(m => !before.ContainsKey(m.Address))) onMeterAdded?.Invoke(m);
        var result = await module.SyncArchiveAsync(meters.Select(m => m.Address).ToArray(), cancellationToken);
        return result.Verified;
    }

    public override async Task RunEventsAsync(IOutboxWriter outbox, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var e in module.Events.ReadAllAsync(cancellationToken))
                if (PlcEventMapper.ToMeterEvent(e, Name, _byAddress) is { } meterEvent)
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
