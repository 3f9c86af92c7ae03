using Dcu.Core.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

using Dcu.Drivers.Links;

namespace Dcu.Drivers.Dlt645;

/// <summary>
/// DL/T 645-2007 master over one byte link (an RS485 bus, 2400 8E1 by default). Strictly one
/// exchange in flight. Before each request it drains stale bytes (after a failed exchange) and
/// keeps quiet after a broadcast. Replies are assembled under a first-byte timeout and an
/// inter-byte timeout on the <see cref="TimeProvider"/>; noise is skipped byte by byte toward the
/// next FE/68H and counted; well-formed frames that are not the reply (another meter, our own
/// echo, another DI) are dropped whole and counted. Timeouts and bad frames are retried; an
/// abnormal reply is the meter's final word and becomes a <see cref="Dlt645MeterException"/>.
/// </summary>
/// <remarks>The link is opened and owned by the caller (the bus worker); the client never opens or disposes it.</remarks>
public sealed class Dlt645Client : IDlt645Exchange
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly byte[] _buffer = new byte[2 * (Dlt645Frame.MaxPreambleLength + Dlt645Frame.Overhead + 255)];
    private readonly IByteLink _link;
    private readonly ILogger _logger;
    private readonly TimeSpan _maxReplyDuration;
    private long _lastActivity;
    private bool _lastWasBroadcast;
    private bool _busDirty;

    public Dlt645Client(IByteLink link, Dlt645ClientOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(link);
        Options = options ?? new Dlt645ClientOptions();
        Options.Validate();
        _link = link;
        _logger = logger ?? NullLogger.Instance;
        var characterTime = link.BaudRate > 0 && link.BitsPerCharacter > 0 ? Dlt645Timing.CharacterTime(link.BaudRate, link.BitsPerCharacter) : TimeSpan.Zero;

        // A reply may trickle in, but not forever: a babbling line would keep resetting the inter-byte timeout.
        _maxReplyDuration = Options.ResponseTimeout + (2 * _buffer.Length * characterTime) + Options.InterByteTimeout;
    }

    public Dlt645ClientOptions Options { get; }

    public Dlt645BusCounters Counters { get; } = new();

    private TimeProvider Time => Options.TimeProvider;

    /// <summary>
    /// Reads one data identifier and returns its value bytes (33H removed, DI stripped), fetching
    /// follow-up frames (B1H → 12H with SEQ 1, 2, ...) transparently and concatenating their data.
    /// </summary>
    /// <exception cref="Dlt645MeterException">The meter answered D1H (e.g. "dlt645_no_data").</exception>
    /// <exception cref="TimeoutException">No valid reply after the retries.</exception>
    /// <exception cref="MeterProtocolException">Only bad frames after the retries.</exception>
    public async Task<byte[]> ReadAsync(Dlt645Address address, Dlt645DataId dataId, CancellationToken cancellationToken)
    {
        RequireAddressable(address);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var reply = await ExchangeAsync(Dlt645Request.Read(address, dataId), Dlt645Frame.ReadData(address, dataId, Options.PreambleLength), cancellationToken).ConfigureAwait(false);
            ThrowIfAbnormal(reply, dataId);
            if (!reply.HasFollowUp) return reply.Data;

            var all = new List<byte>(reply.Data);
            var meter = reply.Address;
            for (var sequence = 1; reply.HasFollowUp; sequence++)
            {
                if (sequence > Options.MaxFollowUpFrames)
                {
                    throw new MeterProtocolException("dlt645_too_many_follow_ups", $"Meter {meter} {(uint)dataId:X8}: more than {Options.MaxFollowUpFrames} follow-up frames");
                }

                Counters.AddFollowUp();
                var seq = (byte)sequence;
                reply = await ExchangeAsync(Dlt645Request.ReadFollowUp(meter, dataId, seq), Dlt645Frame.ReadFollowUp(meter, dataId, seq, Options.PreambleLength), cancellationToken).ConfigureAwait(false);
                ThrowIfAbnormal(reply, dataId);
                all.AddRange(reply.Data);
            }

            return [.. all];
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Reads a numeric item of <see cref="Dlt645DataIdentifiers"/> and decodes it (meter units, e.g. kWh, kW).</summary>
    public async Task<decimal> ReadNumberAsync(Dlt645Address address, Dlt645DataItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        var data = await ReadAsync(address, item.Id, cancellationToken).ConfigureAwait(false);
        return Decode(address, item.Id, () => item.DecodeNumber(data));
    }

    /// <summary>Reads the meter's clock (04000101 + 04000102): its local time, no offset.</summary>
    public async Task<DateTime> ReadClockAsync(Dlt645Address address, CancellationToken cancellationToken)
    {
        var date = await ReadAsync(address, Dlt645DataId.Date, cancellationToken).ConfigureAwait(false);
        var time = await ReadAsync(address, Dlt645DataId.Time, cancellationToken).ConfigureAwait(false);
        return Decode(address, Dlt645DataId.Time, () => Dlt645Values.DecodeDateTime(date, time));
    }

    public async Task<Dlt645RunningStatus1> ReadStatus1Async(Dlt645Address address, CancellationToken cancellationToken) =>
        (Dlt645RunningStatus1)await ReadStatusWordAsync(address, Dlt645DataId.RunningStatus1, cancellationToken).ConfigureAwait(false);

    public async Task<Dlt645RunningStatus2> ReadStatus2Async(Dlt645Address address, CancellationToken cancellationToken) =>
        (Dlt645RunningStatus2)await ReadStatusWordAsync(address, Dlt645DataId.RunningStatus2, cancellationToken).ConfigureAwait(false);

    public async Task<Dlt645RunningStatus3> ReadStatus3Async(Dlt645Address address, CancellationToken cancellationToken) =>
        (Dlt645RunningStatus3)await ReadStatusWordAsync(address, Dlt645DataId.RunningStatus3, cancellationToken).ConfigureAwait(false);

    /// <summary>The n-th previous daily freeze (1 = last): 0506000n time, 0506010n forward and 0506020n reverse blocks.</summary>
    public async Task<Dlt645DailyFrozen> ReadDailyFrozenAsync(Dlt645Address address, int previous, CancellationToken cancellationToken)
    {
        var (timeId, forwardId, reverseId) = Dlt645DataIdentifiers.DailyFrozen(previous);
        var time = await ReadAsync(address, timeId, cancellationToken).ConfigureAwait(false);
        var forward = await ReadAsync(address, forwardId, cancellationToken).ConfigureAwait(false);
        var reverse = await ReadAsync(address, reverseId, cancellationToken).ConfigureAwait(false);
        return Decode(address, forwardId, () => new Dlt645DailyFrozen(
            Dlt645Values.DecodeFreezeTime(time), Dlt645Values.DecodeEnergyBlock(forward), Dlt645Values.DecodeEnergyBlock(reverse)));
    }

    /// <summary>Reads the address of the only meter on the line (13H to AAAAAAAAAAAA).</summary>
    public async Task<Dlt645Address> ReadAddressAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var reply = await ExchangeAsync(Dlt645Request.ReadAddress(), Dlt645Frame.ReadAddress(Options.PreambleLength), cancellationToken).ConfigureAwait(false);
            ThrowIfAbnormal(reply, null);
            return reply.Address;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Broadcast time (08H): every meter on the line sets its clock to <paramref name="meterLocalTime"/>'s
    /// clock reading (meters keep local time, so pass the time in the meters' zone). No reply; the
    /// next request waits <see cref="Dlt645ClientOptions.BroadcastTurnaround"/>.
    /// </summary>
    public async Task BroadcastTimeAsync(DateTimeOffset meterLocalTime, CancellationToken cancellationToken)
    {
        var frame = Dlt645Frame.BroadcastTime(meterLocalTime.DateTime, Options.PreambleLength);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await PrepareBusAsync(cancellationToken).ConfigureAwait(false);
            await WriteWithTimeoutAsync(frame, cancellationToken).ConfigureAwait(false);
            Counters.AddRequest();
            Counters.AddBroadcast();
            _lastWasBroadcast = true;
            MarkActivity();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Control command (1CH): trip, permit close, alarm, keep power. Returns whether the meter
    /// accepted (9CH) or refused (DCH + error word). See <see cref="Dlt645Frame.RelayControl"/> for
    /// the layout and the ESAM caveat.
    /// </summary>
    public async Task<Dlt645ControlResult> RelayControlAsync(Dlt645Address address, Dlt645RelayCommand command, Dlt645Password password, uint operatorCode, DateTimeOffset validUntilMeterLocal, CancellationToken cancellationToken)
    {
        RequireAddressable(address);
        if (address.HasWildcard) throw new ArgumentException("A control command needs the meter's full address.", nameof(address));
        var frame = Dlt645Frame.RelayControl(address, command, password, operatorCode, validUntilMeterLocal.DateTime, Options.PreambleLength);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var reply = await ExchangeAsync(Dlt645Request.Control(address), frame, cancellationToken).ConfigureAwait(false);
            if (reply.IsAbnormal)
            {
                _logger.LogInformation("DL/T 645 {Link} meter {Address}: control {Command} refused ({ErrorWord})", _link.Name, address, command, reply.ErrorWord);
            }

            return new Dlt645ControlResult(reply.Address, command, !reply.IsAbnormal, reply.ErrorWord);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Any unicast request (e.g. write data 14H, control 1CH) with plain <paramref name="data"/>; returns
    /// the matched reply, an abnormal one included (not thrown). Retried like a read after a timeout or
    /// a bad frame: the commands this carries are idempotent (setting the same value again).
    /// </summary>
    public async Task<Dlt645Reply> RequestAsync(Dlt645Address address, Dlt645Function function, byte[] data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        RequireAddressable(address);
        if (address.HasWildcard) throw new ArgumentException("This request needs the meter's full address.", nameof(address));
        var frame = Dlt645Frame.Build(address, Dlt645Control.Request(function), data, Options.PreambleLength);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ExchangeAsync(new Dlt645Request(address, function), frame, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private static void RequireAddressable(Dlt645Address address)
    {
        if (address.IsBroadcast) throw new ArgumentException("Nobody answers the broadcast address; use a meter address or the wildcard.", nameof(address));
    }

    private static void ThrowIfAbnormal(Dlt645Reply reply, Dlt645DataId? dataId)
    {
        if (reply.IsAbnormal) throw new Dlt645MeterException(reply.Address, reply.Function, dataId, reply.ErrorWord);
    }

    private static T Decode<T>(Dlt645Address address, Dlt645DataId dataId, Func<T> decode)
    {
        try
        {
            return decode();
        }
        catch (FormatException ex)
        {
            throw new MeterProtocolException("dlt645_bad_value", $"Meter {address} {(uint)dataId:X8}: {ex.Message}", ex);
        }
    }

    private async Task<ushort> ReadStatusWordAsync(Dlt645Address address, Dlt645DataId dataId, CancellationToken cancellationToken)
    {
        var data = await ReadAsync(address, dataId, cancellationToken).ConfigureAwait(false);
        return Decode(address, dataId, () => Dlt645Values.DecodeStatusWord(data));
    }

    /// <summary>One request with retries; the caller holds the gate. Abnormal replies are returned (and counted), not thrown.</summary>
    private async Task<Dlt645Reply> ExchangeAsync(Dlt645Request request, byte[] frame, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (attempt > 0) Counters.AddRetry();
            try
            {
                return await TransactAsync(request, frame, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TimeoutException or MeterProtocolException && !cancellationToken.IsCancellationRequested)
            {
                var reason = ex is MeterProtocolException p ? p.Reason : "timeout";
                if (attempt < Options.Retries)
                {
                    _logger.LogDebug("DL/T 645 {Link} meter {Address} {Function} {DataId}: attempt {Attempt} failed ({Reason}), retrying",
                        _link.Name, request.Address, request.Function, request.DataId, attempt + 1, reason);
                    continue;
                }

                _logger.LogWarning("DL/T 645 {Link} meter {Address} {Function} {DataId}: failed after {Attempts} attempt(s) ({Reason}): {Message}",
                    _link.Name, request.Address, request.Function, request.DataId, attempt + 1, reason, ex.Message);
                throw;
            }
        }
    }

    private async Task<Dlt645Reply> TransactAsync(Dlt645Request request, byte[] frame, CancellationToken cancellationToken)
    {
        await PrepareBusAsync(cancellationToken).ConfigureAwait(false);
        _busDirty = true;
        await WriteWithTimeoutAsync(frame, cancellationToken).ConfigureAwait(false);
        Counters.AddRequest();
        _lastWasBroadcast = false;
        MarkActivity();
        var reply = await ReceiveAsync(request, cancellationToken).ConfigureAwait(false);
        _busDirty = false;
        Counters.AddResponse();
        if (reply.IsAbnormal) Counters.AddErrorReply(reply.ErrorWord.ToReason());
        return reply;
    }

    private async Task PrepareBusAsync(CancellationToken cancellationToken)
    {
        if (_busDirty)
        {
            // The last exchange failed: a late reply may still be arriving. Read it out until quiet.
            var started = Time.GetTimestamp();
            long drained = 0;
            while (Time.GetElapsedTime(started) < Options.ResponseTimeout)
            {
                var read = await ReadWithTimeoutAsync(_buffer, Options.InterByteTimeout, cancellationToken).ConfigureAwait(false);
                if (read is null or 0) break;
                drained += read.Value;
            }

            if (drained > 0)
            {
                Counters.AddDiscardedBytes(drained);
                _logger.LogDebug("DL/T 645 {Link}: discarded {Count} stale bytes before the next request", _link.Name, drained);
            }

            _busDirty = false;
        }

        _link.DiscardInput();
        if (_lastWasBroadcast)
        {
            var remaining = Options.BroadcastTurnaround - Time.GetElapsedTime(_lastActivity);
            if (remaining > TimeSpan.Zero) await Task.Delay(remaining, Time, cancellationToken).ConfigureAwait(false);
            _lastWasBroadcast = false;
        }
    }

    private async Task<Dlt645Reply> ReceiveAsync(Dlt645Request request, CancellationToken cancellationToken)
    {
        var started = Time.GetTimestamp();
        var start = 0;
        var count = 0;
        long skipped = 0;
        var pending = Dlt645FrameError.None;
        var timeout = Options.ResponseTimeout;
        while (true)
        {
            if (start > 0)
            {
                _buffer.AsSpan(start, count - start).CopyTo(_buffer);
                count -= start;
                start = 0;
            }

            if (count == _buffer.Length)
            {
                // Cannot happen with capped frames; never let a babbling line wedge the buffer.
                Counters.AddGarbageBytes(1);
                start = 1;
                continue;
            }

            var read = await ReadWithTimeoutAsync(_buffer.AsMemory(count), timeout, cancellationToken).ConfigureAwait(false);
            if (read is null) throw ReceiveFailed(request, count, skipped, pending);
            if (read == 0) throw new IOException($"Link {_link.Name} closed while waiting for a reply from meter {request.Address}");

            MarkActivity();
            count += read.Value;
            if (TryCompleteReply(request, ref start, count, ref skipped, ref pending) is { } reply) return reply;

            var left = _maxReplyDuration - Time.GetElapsedTime(started);
            timeout = left < Options.InterByteTimeout ? left : Options.InterByteTimeout;
        }
    }

    private Dlt645Reply? TryCompleteReply(in Dlt645Request request, ref int start, int count, ref long skipped, ref Dlt645FrameError pending)
    {
        while (start < count)
        {
            var window = _buffer.AsSpan(start, count - start);
            var status = Dlt645Frame.TryRead(window, out var frame, out var consumed, out var error);
            if (status == Dlt645FrameStatus.Incomplete) return null;

            if (status == Dlt645FrameStatus.Complete)
            {
                error = Dlt645Frame.CheckReply(frame, request, out var reply);
                if (error == Dlt645FrameError.None)
                {
                    var trailing = window.Length - consumed;
                    if (trailing > 0) Counters.AddGarbageBytes(trailing);
                    return reply;
                }

                // A whole frame, just not ours: drop it whole.
                switch (error)
                {
                    case Dlt645FrameError.WrongAddress:
                        Counters.AddWrongAddress();
                        pending = error;
                        break;
                    case Dlt645FrameError.NotAReply:
                        break; // our own request echoed by the adapter, or another master
                    default:
                        Counters.AddFrameError();
                        pending = error;
                        break;
                }

                _logger.LogDebug("DL/T 645 {Link} meter {Address}: dropped a {Length}-byte frame ({Error})", _link.Name, request.Address, consumed, error);
                start += consumed;
                continue;
            }

            if (error == Dlt645FrameError.BadChecksum)
            {
                Counters.AddChecksumError();
                pending = error;
            }

            var skip = 1 + Dlt645Frame.FindStart(window[1..]);
            Counters.AddGarbageBytes(skip);
            skipped += skip;
            start += skip;
        }

        return null;
    }

    private Exception ReceiveFailed(in Dlt645Request request, int buffered, long skipped, Dlt645FrameError pending)
    {
        if (pending != Dlt645FrameError.None)
        {
            return new MeterProtocolException(pending.ToReason(),
                $"Meter {request.Address} {request.Function}: no valid reply on {_link.Name} ({pending}; {skipped} bytes skipped)");
        }

        Counters.AddTimeout();
        var what = buffered > 0 ? $"an incomplete reply ({buffered} bytes)" : skipped > 0 ? $"only {skipped} garbage bytes" : "no reply";
        return new TimeoutException($"Meter {request.Address} {request.Function}: {what} on {_link.Name} within {Options.ResponseTimeout.TotalMilliseconds:0} ms");
    }

    private Task<int?> ReadWithTimeoutAsync(Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken) =>
        _link.ReadWithinAsync(buffer, timeout, Time, cancellationToken);

    private Task WriteWithTimeoutAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        var wire = _link.BaudRate > 0 && _link.BitsPerCharacter > 0 ? Dlt645Timing.WireTime(frame.Length, _link.BaudRate, _link.BitsPerCharacter) : TimeSpan.Zero;
        return _link.WriteWithinAsync(frame, Options.ResponseTimeout + wire, Time, $"{Options.ResponseTimeout.TotalMilliseconds:0} ms", cancellationToken);
    }

    private void MarkActivity() => _lastActivity = Time.GetTimestamp();
}
