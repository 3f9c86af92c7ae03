using Microsoft.Extensions.Logging;

namespace Dcu.Drivers.Plc;

public sealed partial class PlcModule
{
    private readonly SemaphoreSlim _syncGate = new(1, 1);
    private volatile PlcAddress[]? _archive;

    /// <summary>
    /// Makes the module's slave node table equal <paramref name="meterAddresses"/>: reads it
    /// (AFN 10 F1 count, AFN 10 F2 list), deletes extra nodes (AFN 11 F2) and adds missing ones
    /// (AFN 11 F1) in chunks, then reads it back, up to <see cref="PlcModuleOptions.ArchiveSyncPasses"/>
    /// rounds. The archive is remembered and synced again after a module reset.
    /// </summary>
    public async Task<PlcArchiveSyncResult> SyncArchiveAsync(IReadOnlyCollection<string> meterAddresses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(meterAddresses);
        var wanted = meterAddresses.Select(a => PlcAddress.TryParse(a, out var p) ? p
            : throw new ArgumentException($"'{a}' is not a 12-digit PLC address", nameof(meterAddresses))).Distinct().ToArray();
        _archive = wanted;
        await _syncGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await SyncCoreAsync(wanted, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _syncGate.Release();
        }
    }

    /// <summary>AFN 10 F1: slave nodes in the table and the most the module supports.</summary>
    public async Task<(int Count, int Max)> ReadSlaveCountAsync(CancellationToken cancellationToken)
    {
        var reply = await CommandAsync(Q13762Afn.RouteQuery, Q13762Fn.F1, default, cancellationToken).ConfigureAwait(false);
        return Q13762Data.TryParseSlaveCount(reply.Data.Span, out var count, out var max)
            ? (count, max)
            : throw new Dcu.Core.Abstractions.MeterProtocolException("bad_data", $"PLC {Name}: AFN 10 F1 answer too short");
    }

    /// <summary>AFN 10 F1 then AFN 10 F2 pages (start index from 1) until the count is read.</summary>
    public async Task<IReadOnlyList<PlcSlaveNode>> ReadSlaveNodesAsync(CancellationToken cancellationToken)
    {
        var (count, _) = await ReadSlaveCountAsync(cancellationToken).ConfigureAwait(false);
        var nodes = new List<PlcSlaveNode>(count);
        var start = 1;
        while (nodes.Count < count)
        {
            var want = Math.Min(_options.ArchiveReadChunk, count - nodes.Count);
            var reply = await CommandAsync(Q13762Afn.RouteQuery, Q13762Fn.F2, Q13762Data.SlaveListRequest(start, want), cancellationToken).ConfigureAwait(false);
            if (!Q13762Data.TryParseSlaveList(reply.Data.Span, out var total, out var page))
                throw new Dcu.Core.Abstractions.MeterProtocolException("bad_data", $"PLC {Name}: AFN 10 F2 answer malformed");
            if (page.Count == 0) break;
            nodes.AddRange(page);
            start += page.Count;
            count = total;
        }
        return nodes;
    }

    /// <summary>AFN 11 F1 in chunks. A "duplicate" deny is accepted.</summary>
    public async Task AddSlaveNodesAsync(IReadOnlyList<PlcAddress> addresses, PlcProtocolType protocol, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        foreach (var chunk in addresses.Chunk(_options.ArchiveWriteChunk))
        {
            try
            {
                await CommandAsync(Q13762Afn.RouteSet, Q13762Fn.F1, Q13762Data.AddSlaves(_options.Edition, chunk, protocol), cancellationToken).ConfigureAwait(false);
            }
            catch (PlcModuleDeniedException ex) when (ex.Code == Q13762DenyCode.DuplicateMeter)
            {
                _logger.LogDebug("PLC {Link}: add slave nodes: some already present", Name);
            }
        }
    }

    /// <summary>AFN 11 F2 in chunks. A "meter missing" deny is accepted.</summary>
    public async Task RemoveSlaveNodesAsync(IReadOnlyList<PlcAddress> addresses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        foreach (var chunk in addresses.Chunk(_options.ArchiveWriteChunk))
        {
            try
            {
                await CommandAsync(Q13762Afn.RouteSet, Q13762Fn.F2, Q13762Data.DeleteSlaves(chunk), cancellationToken).ConfigureAwait(false);
            }
            catch (PlcModuleDeniedException ex) when (ex.Code == Q13762DenyCode.MeterMissing)
            {
                _logger.LogDebug("PLC {Link}: delete slave nodes: some already gone", Name);
            }
        }
    }

    private async Task<PlcArchiveSyncResult> SyncCoreAsync(PlcAddress[] wanted, CancellationToken cancellationToken)
    {
        Counters.AddArchiveSync();
        var wantedSet = wanted.ToHashSet();
        int added = 0, removed = 0, moduleNodes = 0;
        for (var pass = 1; pass <= _options.ArchiveSyncPasses; pass++)
        {
            var current = (await ReadSlaveNodesAsync(cancellationToken).ConfigureAwait(false)).Select(n => n.Address).ToHashSet();
            moduleNodes = current.Count;
            var extra = current.Where(a => !wantedSet.Contains(a)).ToArray();
            var missing = wanted.Where(a => !current.Contains(a)).ToArray();
            if (extra.Length == 0 && missing.Length == 0)
            {
                _logger.LogInformation("PLC {Link}: route table matches the archive ({Count} nodes; +{Added} -{Removed})", Name, current.Count, added, removed);
                return new PlcArchiveSyncResult(added, removed, current.Count, Verified: true, pass);
            }
            if (pass == _options.ArchiveSyncPasses) break;
            if (extra.Length > 0)
            {
                await RemoveSlaveNodesAsync(extra, cancellationToken).ConfigureAwait(false);
                removed += extra.Length;
            }
            if (missing.Length > 0)
            {
                await AddSlaveNodesAsync(missing, _options.ArchiveProtocol, cancellationToken).ConfigureAwait(false);
                added += missing.Length;
            }
        }
        _logger.LogWarning("PLC {Link}: route table still differs from the archive after {Passes} rounds", Name, _options.ArchiveSyncPasses);
        return new PlcArchiveSyncResult(added, removed, moduleNodes, Verified: false, _options.ArchiveSyncPasses);
    }
}
