using System.Threading.Channels;
using Dcu.Core.Model;
using Dcu.Core.Outbox;
using Microsoft.Extensions.Logging;

namespace Dcu.Host.Runtime;

/// <summary>
/// Turns the uplink's connection changes (<see cref="OnConnectionChanged"/>, wired to
/// <c>MqttUplink.ConnectionChanged</c>) into uplink_down / uplink_up events. Only an outage that
/// lasts <c>minOutage</c> is reported (a flapping link does not flood the DCP); uplink_down is
/// stamped when the link went, uplink_up says how long it was gone. Not connected yet at start is
/// not an outage. The events wait in the outbox and go up first once the link is back.
/// </summary>
public sealed class UplinkWatcher(IOutboxWriter outbox, TimeSpan minOutage, TimeProvider time, ILogger logger)
{
    private readonly Channel<Change> _changes = Channel.CreateUnbounded<Change>(new UnboundedChannelOptions { SingleReader = true });

    private readonly record struct Change(bool Connected, DateTimeOffset At, long Timestamp);

    /// <summary>Outages shorter than the minimum since start (logged, not reported).</summary>
    public long ShortOutages { get; private set; }

    /// <summary>Called by the link on every change; cheap and non-blocking.</summary>
    public void OnConnectionChanged(bool connected) =>
        _changes.Writer.TryWrite(new Change(connected, time.GetUtcNow(), time.GetTimestamp()));

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var everUp = false;
        Change? down = null;
        var reported = false;
        try
        {
            while (true)
            {
                Change change;
                if (down is { } d && !reported)
                {
                    // A change already queued decides first: its own time tells how long the outage was.
                    if (!_changes.Reader.TryRead(out change))
                    {
                        var remaining = minOutage - time.GetElapsedTime(d.Timestamp);
                        if (remaining <= TimeSpan.Zero)
                        {
                            await ReportDownAsync(d, cancellationToken).ConfigureAwait(false);
                            reported = true;
                            continue;
                        }
                        using var wait = new CancellationTokenSource(remaining, time);
                        using var linked = CancellationTokenSource.CreateLinkedTokenSource(wait.Token, cancellationToken);
                        try { change = await _changes.Reader.ReadAsync(linked.Token).ConfigureAwait(false); }
                        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { continue; }
                    }
                }
                else
                {
                    change = await _changes.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                }

                if (change.Connected)
                {
                    everUp = true;
                    if (down is not { } lost) continue;
                    // Measured on the monotonic clock: a clock step during the outage does not change its length.
                    var outage = time.GetElapsedTime(lost.Timestamp, change.Timestamp);
                    if (!reported && outage >= minOutage)
                    {
                        await ReportDownAsync(lost, cancellationToken).ConfigureAwait(false);
                        reported = true;
                    }
                    if (reported)
                        await outbox.AppendAsync(new MeterEvent(null, EventKinds.UplinkUp, change.At.ToUnixTimeMilliseconds(),
                            $"the uplink to the DCP is back after {Durations.Format(outage)} (down since {Durations.Utc(lost.At)})"), cancellationToken).ConfigureAwait(false);
                    else
                    {
                        ShortOutages++;
                        logger.LogInformation("Uplink back after {Outage}, shorter than the {Min} reported as uplink_down", Durations.Format(outage), Durations.Format(minOutage));
                    }
                    down = null;
                    reported = false;
                }
                else if (everUp && down is null)
                {
                    down = change;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private ValueTask ReportDownAsync(Change lost, CancellationToken cancellationToken) =>
        outbox.AppendAsync(new MeterEvent(null, EventKinds.UplinkDown, lost.At.ToUnixTimeMilliseconds(),
            $"the uplink to the DCP went down at {Durations.Utc(lost.At)}; events and readings are kept until it is back"), cancellationToken);
}
