using Dcu.Core.Abstractions;
using Dcu.Core.Uplink;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dcu.Core.Commands;

/// <summary>
/// Publishes results on <c>dcu/{id}/cmd-result</c> at QoS 1, straight over the link (not through the
/// outbox): a result lost with the link is not re-sent. Each publish is bounded by <paramref name="publishTimeout"/>.
/// </summary>
public sealed class UplinkResultSink(IUplink uplink, Topics topics, TimeSpan publishTimeout, TimeProvider? time = null, ILogger<UplinkResultSink>? logger = null) : ICommandResultSink
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private long _unacknowledged;

    /// <summary>Results the broker did not acknowledge (lost).</summary>
    public long Unacknowledged => Interlocked.Read(ref _unacknowledged);

    public async ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(publishTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        bool ok;
        try
        {
            ok = await uplink.PublishAsync(new UplinkMessage(topics.CommandResult, payload), linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            ok = false;
        }
        if (!ok)
        {
            Interlocked.Increment(ref _unacknowledged);
            _logger.LogWarning("A command result on {Topic} was not acknowledged by the broker; it is not re-sent", topics.CommandResult);
        }
    }
}
