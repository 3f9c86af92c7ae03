using Dcu.Core.Abstractions;
using Microsoft.Extensions.Logging;

namespace Dcu.Drivers.Plc;

public sealed partial class PlcModule
{
    /// <summary>
    /// Relays <paramref name="frame"/> to the meter at <paramref name="meterAddress"/> (AFN 13 F1,
    /// address field A1 = main node, A3 = meter) and returns the meter's reply frame, opaque.
    /// </summary>
    /// <remarks>
    /// Retried up to <see cref="PlcModuleOptions.ForwardRetries"/> times with doubling backoff after
    /// a timeout, an empty relay answer or a "meter silent" deny (both surface as <see cref="TimeoutException"/>), a busy module, or a module reset
    /// (after waiting for the re-sync). Other denies throw <see cref="PlcModuleDeniedException"/>;
    /// an answer from another node throws <see cref="MeterProtocolException"/> "wrong_address".
    /// </remarks>
    public async Task<byte[]> ForwardAsync(string meterAddress, PlcProtocolType protocol, ReadOnlyMemory<byte> frame, TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        var address = PlcAddress.TryParse(meterAddress, out var a) ? a
            : throw new ArgumentException($"'{meterAddress}' is not a 12-digit PLC address", nameof(meterAddress));
        var data = Q13762Data.ForwardRequest(_options.Edition, protocol, frame.Span);
        var wait = timeout ?? _forwardTimeout;
        for (var attempt = 0; ; attempt++)
        {
            if (attempt > 0) Counters.AddRetry();
            try
            {
                return await ForwardOnceAsync(address, data, wait, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (attempt < _options.ForwardRetries && IsRetryable(ex, address) && !cancellationToken.IsCancellationRequested)
            {
                _logger.LogDebug("PLC {Link}: relay to {Meter} attempt {Attempt} failed ({Message}); retrying", Name, address, attempt + 1, ex.Message);
                if (ex is PlcModuleResetException || (ex is PlcModuleDeniedException { NodeUnknown: true }))
                    await WaitForRecoveryAsync(cancellationToken).ConfigureAwait(false);
                await Task.Delay(Backoff(attempt), _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<byte[]> ForwardOnceAsync(PlcAddress address, byte[] data, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _forwardGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var resetsBefore = Counters.ModuleResets;
        Q13762Message answer;
        try
        {
            answer = await TransactAsync(Q13762Afn.RouteForward, Q13762Fn.F1, data, address, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (PlcModuleDeniedException ex) when (ex.NodeUnknown && _running && _archive is { } archive && archive.Contains(address))
        {
            // The module forgot a node of the synced archive: it was reset behind our back. Unless a
            // reset was already detected since this relay was sent, or its re-sync is still running:
            // then the deny is that same reset (declaring it again would fail the re-sync's own commands
            // and every relay in flight, and restart the re-sync, once per denied relay).
            if (Counters.ModuleResets == resetsBefore && RecoveryIdle.IsCompleted)
                OnModuleReset($"module denied {address} as unknown ({ex.Code})");
            else
                _logger.LogDebug("PLC {Link}: relay to {Meter} denied as unknown ({Code}) while the route table is re-synced after a reset", Name, address, ex.Code);
            throw;
        }
        catch (PlcModuleDeniedException ex) when (ex.MeterSilent)
        {
            Counters.AddTimeout();
            throw new TimeoutException($"PLC {Name}: meter {address} did not answer the relay (module: {ex.Code})", ex);
        }
        finally
        {
            _forwardGate.Release();
        }

        if (answer.Afn != Q13762Afn.RouteForward)
            throw new MeterProtocolException("unexpected_answer", $"PLC {Name}: relay to {address} answered with AFN {(byte)answer.Afn:X2} {answer.Fn}");
        if (answer.Source is { } source && source != address)
        {
            Counters.AddWrongAddress();
            throw new MeterProtocolException("wrong_address", $"PLC {Name}: relay to {address} answered by {source}");
        }
        if (!Q13762Data.TryParseForwardReply(answer.Data.Span, _options.Edition, out var reply))
            throw new MeterProtocolException("bad_data", $"PLC {Name}: relay answer from {address} is malformed: {Convert.ToHexString(answer.Data.Span)}");
        if (reply!.Frame.Length == 0)
        {
            Counters.AddTimeout();
            throw new TimeoutException($"PLC {Name}: meter {address} did not answer the relay");
        }
        return reply.Frame;
    }

    private bool IsRetryable(Exception ex, PlcAddress address) => ex switch
    {
        TimeoutException => true,
        PlcModuleResetException => true,
        PlcModuleDeniedException d => d.MeterSilent || d.Code == Q13762DenyCode.MainNodeBusy
            || (d.NodeUnknown && _archive is { } archive && archive.Contains(address)),
        _ => false,
    };

    private async Task WaitForRecoveryAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RecoveryIdle.WaitAsync(_options.RecoveryWait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("PLC {Link}: re-sync after reset still running after {Wait}", Name, _options.RecoveryWait);
        }
    }
}
