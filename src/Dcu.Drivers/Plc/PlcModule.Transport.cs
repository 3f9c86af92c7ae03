using Dcu.Core.Abstractions;
using Dcu.Drivers.Links;
using Microsoft.Extensions.Logging;

namespace Dcu.Drivers.Plc;

public sealed partial class PlcModule
{
    /// <summary>
    /// One local command (AFN 01/03/05/10/11/12) with retries on timeout; returns the answer
    /// (AFN 00 F1 or the queried data). A deny throws <see cref="PlcModuleDeniedException"/>.
    /// </summary>
    public async Task<Q13762Message> CommandAsync(Q13762Afn afn, Q13762Fn fn, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await _commandGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                if (attempt > 0) Counters.AddRetry();
                try
                {
                    return await TransactAsync(afn, fn, data, null, _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException) when (attempt < _options.CommandRetries && !cancellationToken.IsCancellationRequested)
                {
                    _logger.LogDebug("PLC {Link}: AFN {Afn:X2} {Fn} timed out, retrying", Name, (byte)afn, fn);
                    await Task.Delay(Backoff(attempt), _time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _commandGate.Release();
        }
    }

    /// <summary>
    /// One attempt: sends a request with a fresh sequence number and waits for the answer with the
    /// same sequence number and either the same AFN/Fn or AFN 00.
    /// </summary>
    internal async Task<Q13762Message> TransactAsync(Q13762Afn afn, Q13762Fn fn, ReadOnlyMemory<byte> data, PlcAddress? destination,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        var pending = new PendingRequest(afn, fn);
        byte sequence;
        lock (_pendingLock)
        {
            if (_pending.Count >= 255) throw new InvalidOperationException($"PLC {Name}: too many requests in flight");
            do { sequence = _nextSequence++; } while (_pending.ContainsKey(sequence));
            _pending[sequence] = pending;
        }
        try
        {
            var request = Q13762Message.Request(_options.CommMode, sequence, afn, fn, data, _options.MainNodeAddress, destination);
            Counters.AddRequest();
            await WriteFrameAsync(Q13762Frame.Encode(request), cancellationToken).ConfigureAwait(false);
            Q13762Message answer;
            try
            {
                answer = await pending.Completion.Task.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Counters.AddTimeout();
                throw new TimeoutException($"PLC {Name}: no answer to AFN {(byte)afn:X2} {fn} (seq {sequence}) within {timeout.TotalMilliseconds:0} ms");
            }
            if (answer.Afn == Q13762Afn.Confirm && answer.Fn.Number == 2)
            {
                Counters.AddDeny();
                throw new PlcModuleDeniedException(Q13762Data.ParseDeny(answer.Data.Span), afn, fn);
            }
            return answer;
        }
        finally
        {
            lock (_pendingLock)
            {
                if (_pending.TryGetValue(sequence, out var p) && ReferenceEquals(p, pending)) _pending.Remove(sequence);
            }
        }
    }

    private async Task WriteFrameAsync(byte[] frame, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(_options.CommandTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token, _stopping.Token);
        try
        {
            await _writeGate.WaitAsync(linked.Token).ConfigureAwait(false);
            try
            {
                await _link.WriteAsync(frame, linked.Token).ConfigureAwait(false);
            }
            finally
            {
                _writeGate.Release();
            }
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"PLC {Name}: writing {frame.Length} bytes took longer than {_options.CommandTimeout.TotalMilliseconds:0} ms");
        }
    }

    private TimeSpan Backoff(int attempt) => _options.RetryBackoff * Math.Pow(2, Math.Min(attempt, 6));

    private void FailPending(Exception error)
    {
        List<PendingRequest> failed;
        lock (_pendingLock)
        {
            failed = [.. _pending.Values];
            _pending.Clear();
        }
        foreach (var p in failed) p.Completion.TrySetException(error);
    }

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[Math.Max(_options.MaxFrameLength * 2, 512)];
        var count = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                count = await DrainFramesAsync(buffer, count, cancellationToken).ConfigureAwait(false);
                if (count == buffer.Length)
                {
                    Drop(buffer, ref count, 1);
                    Counters.AddGarbageBytes(1);
                }

                int read;
                if (count > 0)
                {
                    var got = await ReadWithTimeoutAsync(buffer.AsMemory(count), _options.InterByteTimeout, cancellationToken).ConfigureAwait(false);
                    if (got is null)
                    {
                        // A partial frame stalled: drop its 68H and look again.
                        Counters.AddBadFrame();
                        _logger.LogDebug("PLC {Link}: partial frame of {Count} bytes stalled; resynchronising", Name, count);
                        Drop(buffer, ref count, 1);
                        continue;
                    }
                    read = got.Value;
                }
                else
                {
                    read = await _link.ReadAsync(buffer.AsMemory(count), cancellationToken).ConfigureAwait(false);
                }
                if (read == 0)
                {
                    _logger.LogWarning("PLC {Link}: link closed", Name);
                    FailPending(new TimeoutException($"PLC {Name}: link closed"));
                    return;
                }
                count += read;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "PLC {Link}: read loop failed", Name);
            FailPending(new TimeoutException($"PLC {Name}: read loop failed: {ex.Message}", ex));
        }
    }

    /// <summary>Parses and dispatches every whole frame in the buffer; returns the bytes left (a frame prefix).</summary>
    private async Task<int> DrainFramesAsync(byte[] buffer, int count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            var status = Q13762Frame.TryParse(buffer.AsSpan(0, count), _options.MaxFrameLength, out var message, out var consumed, out var error);
            if (status == Q13762FrameStatus.Incomplete) break;
            if (status == Q13762FrameStatus.Complete)
            {
                Drop(buffer, ref count, consumed);
                try
                {
                    await DispatchAsync(message!, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    _logger.LogWarning(ex, "PLC {Link}: handling {Frame} failed", Name, message);
                }
                continue;
            }

            int skip;
            if (error == Q13762FrameError.NoStart)
            {
                skip = Q13762Frame.FindStart(buffer.AsSpan(0, count));
            }
            else
            {
                skip = 1;
                if (error is Q13762FrameError.BadChecksum or Q13762FrameError.BadEnd)
                {
                    Counters.AddBadFrame();
                    _logger.LogDebug("PLC {Link}: bad frame ({Error}), resynchronising", Name, error);
                }
            }
            Counters.AddGarbageBytes(skip);
            Drop(buffer, ref count, skip);
        }
        return count;
    }

    private Task<int?> ReadWithTimeoutAsync(Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken) =>
        _link.ReadWithinAsync(buffer, timeout, _time, cancellationToken);

    private static void Drop(byte[] buffer, ref int count, int n)
    {
        Buffer.BlockCopy(buffer, n, buffer, 0, count - n);
        count -= n;
    }

    private async Task DispatchAsync(Q13762Message message, CancellationToken cancellationToken)
    {
        if (!message.IsUplink)
        {
            Counters.AddBadFrame();
            _logger.LogDebug("PLC {Link}: ignoring a downlink frame on the uplink: {Frame}", Name, message);
            return;
        }
        if (message.Control.IsInitiator)
        {
            Counters.AddUnsolicited();
            await HandleModuleInitiatedAsync(message, cancellationToken).ConfigureAwait(false);
            return;
        }

        PendingRequest? match = null;
        lock (_pendingLock)
        {
            if (_pending.TryGetValue(message.Sequence, out var p) && p.Accepts(message))
            {
                match = p;
                _pending.Remove(message.Sequence);
            }
        }
        if (match is not null)
        {
            Counters.AddResponse();
            match.Completion.TrySetResult(message);
            return;
        }
        if (!Enum.IsDefined(message.Afn))
        {
            Counters.AddUnknownAfn();
            _logger.LogInformation("PLC {Link}: ignoring answer with unknown AFN: {Frame}", Name, message);
            return;
        }
        Counters.AddLateReply();
        _logger.LogDebug("PLC {Link}: answer matches no request in flight: {Frame}", Name, message);
    }
}
