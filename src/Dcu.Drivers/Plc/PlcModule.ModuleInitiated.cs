using System.Threading.Channels;
using Dcu.Core.Abstractions;
using Microsoft.Extensions.Logging;

namespace Dcu.Drivers.Plc;

public sealed partial class PlcModule
{
    private readonly Channel<string> _recoveryRequests = Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Lock _recoveryLock = new();
    private TaskCompletionSource _recoveryDone = NewCompleted();

    /// <summary>Completes when no re-sync after a module reset is pending or running.</summary>
    public Task RecoveryIdle
    {
        get { lock (_recoveryLock) return _recoveryDone.Task; }
    }

    private async Task HandleModuleInitiatedAsync(Q13762Message message, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var data = message.Data.ToArray();
        switch (message.Afn)
        {
            case Q13762Afn.Report:
                Publish(message.Fn.Number switch
                {
                    1 or 4 when Q13762Data.TryParseReportedNodes(data, out var nodes) => new PlcNodesReported(now, nodes),
                    2 when Q13762Data.TryParseReportedData(data, out _, out var protocol, out var frame) =>
                        new PlcMeterFrameReported(now, message.Source, protocol, frame, IsEvent: false),
                    3 when data.Length >= 1 => new PlcRouteWorkChanged(now, data[0]),
                    5 when Q13762Data.TryParseReportedEvent(data, out var protocol, out var frame) =>
                        new PlcMeterFrameReported(now, message.Source, protocol, frame, IsEvent: true),
                    _ => new PlcModuleReportReceived(now, message.Afn, message.Fn, data),
                });
                await AnswerAsync(message, Q13762Afn.Confirm, Q13762Fn.F1, Q13762Data.Confirm(), cancellationToken).ConfigureAwait(false);
                break;

            case Q13762Afn.Query when message.Fn.Number == 10:
                // Modules announce their run mode on their own after power-up: the module restarted.
                if (Q13762Data.TryParseRunMode(data, out var mode)) RunMode = mode;
                await AnswerAsync(message, Q13762Afn.Confirm, Q13762Fn.F1, Q13762Data.Confirm(), cancellationToken).ConfigureAwait(false);
                OnModuleReset("module announced its run mode (AFN 03 F10, power-up)");
                break;

            case Q13762Afn.RouteRequest:
                Publish(new PlcModuleRequestReceived(now, message.Fn, data));
                switch (message.Fn.Number)
                {
                    case 1:
                        // Router-led reading asks what to read; the DCU reads through AFN 13 itself.
                        await AnswerAsync(message, Q13762Afn.RouteRequest, Q13762Fn.F1, Q13762Data.NothingToRead(), cancellationToken).ConfigureAwait(false);
                        break;
                    case 2:
                        await AnswerAsync(message, Q13762Afn.RouteRequest, Q13762Fn.F2, Q13762Data.Clock(now), cancellationToken).ConfigureAwait(false);
                        break;
                    default:
                        _logger.LogInformation("PLC {Link}: module request AFN 14 {Fn} not answered", Name, message.Fn);
                        break;
                }
                break;

            default:
                if (Enum.IsDefined(message.Afn))
                {
                    Publish(new PlcModuleReportReceived(now, message.Afn, message.Fn, data));
                    await AnswerAsync(message, Q13762Afn.Confirm, Q13762Fn.F1, Q13762Data.Confirm(), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    Counters.AddUnknownAfn();
                    _logger.LogInformation("PLC {Link}: ignoring module frame with unknown AFN: {Frame}", Name, message);
                }
                break;
        }
    }

    /// <summary>Answers a module-initiated frame: DIR=0, PRM=0, the module's sequence number, no address field.</summary>
    private async Task AnswerAsync(Q13762Message request, Q13762Afn afn, Q13762Fn fn, byte[] data, CancellationToken cancellationToken)
    {
        var answer = new Q13762Message
        {
            Control = Q13762Control.Create(uplink: false, initiator: false, _options.CommMode),
            Info = Q13762Info.Downlink(request.Sequence, hasAddress: false),
            Afn = afn,
            Fn = fn,
            Data = data,
        };
        try
        {
            await WriteFrameAsync(Q13762Frame.Encode(answer), cancellationToken).ConfigureAwait(false);
            Counters.AddConfirmSent();
        }
        catch (TimeoutException ex)
        {
            _logger.LogWarning("PLC {Link}: answering {Frame} failed: {Message}", Name, request, ex.Message);
        }
    }

    private void OnModuleReset(string reason)
    {
        Counters.AddModuleReset();
        _logger.LogWarning("PLC {Link}: module reset detected: {Reason}", Name, reason);
        Publish(new PlcModuleResetDetected(_time.GetUtcNow(), reason));
        FailPending(new PlcModuleResetException($"PLC {Name}: module reset while the request was in flight ({reason})"));
        if (_running && _options.ResyncAfterReset) RequestRecovery(reason);
    }

    private void RequestRecovery(string reason)
    {
        lock (_recoveryLock)
        {
            if (_recoveryDone.Task.IsCompleted) _recoveryDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        _recoveryRequests.Writer.TryWrite(reason);
    }

    private async Task MaintenanceLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            var failures = 0;
            await foreach (var reason in _recoveryRequests.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    _logger.LogInformation("PLC {Link}: recovering after module reset ({Reason})", Name, reason);
                    await EnsureMainNodeAsync(cancellationToken).ConfigureAwait(false);
                    if (_options.PauseRouterOnStart)
                        await TryCommandAsync(Q13762Afn.RouteControl, Q13762Fn.F2, "pause router (AFN 12 F2)", cancellationToken).ConfigureAwait(false);
                    var archive = _archive;
                    if (archive is not null)
                    {
                        await _syncGate.WaitAsync(cancellationToken).ConfigureAwait(false);
                        try
                        {
                            var result = await SyncCoreAsync(archive, cancellationToken).ConfigureAwait(false);
                            _logger.LogInformation("PLC {Link}: archive re-synced after reset: +{Added} -{Removed}, verified {Verified}",
                                Name, result.Added, result.Removed, result.Verified);
                        }
                        finally
                        {
                            _syncGate.Release();
                        }
                    }
                    failures = 0;
                }
                catch (Exception ex) when (ex is TimeoutException or MeterProtocolException)
                {
                    failures++;
                    _logger.LogWarning("PLC {Link}: recovery after reset failed ({Message}); trying again", Name, ex.Message);
                    await Task.Delay(Backoff(Math.Min(failures, 5)), _time, cancellationToken).ConfigureAwait(false);
                    _recoveryRequests.Writer.TryWrite("retry");
                    continue;
                }
                lock (_recoveryLock)
                {
                    if (!_recoveryRequests.Reader.TryPeek(out _)) _recoveryDone.TrySetResult();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            lock (_recoveryLock) _recoveryDone.TrySetResult();
        }
    }

    private static TaskCompletionSource NewCompleted()
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tcs.SetResult();
        return tcs;
    }
}
