using Dcu.Core.Abstractions;
using Microsoft.Extensions.Logging;

namespace Dcu.Drivers.Modbus;

/// <summary>
/// Modbus RTU master over one RS485 bus. Strictly one request in flight. Before each request it
/// drains stale bytes (after a failed exchange, counted as a late reply) and keeps the t3.5
/// silent interval (plus the turnaround delay after a broadcast). Replies are read by declared
/// length under a first-byte timeout and an inter-byte timeout; garbage is skipped byte by byte
/// toward a plausible frame start.
/// </summary>
public sealed class ModbusRtuMaster : ModbusMasterBase
{
    private readonly byte[] _buffer = new byte[ModbusRtuFrame.MaxAduLength * 2];
    private readonly TimeSpan _silentInterval;
    private readonly TimeSpan _interByteTimeout;
    private readonly TimeSpan _broadcastTurnaround;
    private readonly TimeSpan _maxReplyDuration;
    private long _lastActivity;
    private bool _hasActivity;
    private bool _lastWasBroadcast;
    private bool _busDirty;

    public ModbusRtuMaster(IByteLink link, ModbusRtuMasterOptions? options = null, ILogger? logger = null)
        : base(link, options ?? new ModbusRtuMasterOptions(), logger)
    {
        var rtu = (ModbusRtuMasterOptions)Options;
        _silentInterval = ModbusTiming.T35(link.BaudRate, link.BitsPerCharacter);
        var autoInterByte = _silentInterval > ModbusRtuMasterOptions.MinimumInterByteTimeout ? _silentInterval : ModbusRtuMasterOptions.MinimumInterByteTimeout;
        _interByteTimeout = rtu.InterByteTimeout ?? autoInterByte;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_interByteTimeout, TimeSpan.Zero, nameof(rtu.InterByteTimeout));
        _broadcastTurnaround = rtu.BroadcastTurnaround;

        // A reply may trickle in, but not forever (a babbling device or noise would keep resetting
        // the inter-byte timeout): cap it at the first-byte timeout plus twice a maximum frame.
        _maxReplyDuration = rtu.ResponseTimeout + (2 * ModbusRtuFrame.MaxAduLength * ModbusTiming.CharacterTime(link.BaudRate, link.BitsPerCharacter)) + _interByteTimeout;
    }

    /// <summary>The inter-byte timeout in use (configured or derived).</summary>
    public TimeSpan InterByteTimeout => _interByteTimeout;

    /// <summary>The t3.5 silent interval of the link.</summary>
    public TimeSpan SilentInterval => _silentInterval;

    protected override void ValidateUnit(byte unit, bool isWrite)
    {
        if (unit > ModbusRtuFrame.MaxUnit)
        {
            throw new ArgumentOutOfRangeException(nameof(unit), unit, "RTU units are 1..247 (0 = broadcast).");
        }

        if (unit == 0 && !isWrite)
        {
            throw new ArgumentOutOfRangeException(nameof(unit), unit, "Broadcast (unit 0) is allowed only for writes.");
        }
    }

    protected override async Task<byte[]> TransactAsync(ModbusRequest request, ReadOnlyMemory<byte> pdu, CancellationToken cancellationToken)
    {
        var adu = new byte[pdu.Length + 3];
        ModbusRtuFrame.WriteRequest(adu, request.Unit, pdu.Span);
        await PrepareBusAsync(cancellationToken).ConfigureAwait(false);

        _busDirty = true;
        await WriteWithTimeoutAsync(adu, cancellationToken).ConfigureAwait(false);
        Counters.AddRequest();
        MarkActivity();
        if (request.Unit == 0)
        {
            Counters.AddBroadcast();
            _lastWasBroadcast = true;
            _busDirty = false;
            return [];
        }

        _lastWasBroadcast = false;
        return await ReceiveAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async Task PrepareBusAsync(CancellationToken cancellationToken)
    {
        if (_busDirty)
        {
            // The last exchange failed: a late reply may still be arriving. Read it out (so it is
            // counted) until the line has been quiet for the inter-byte timeout.
            var started = TimeProvider.GetTimestamp();
            long drained = 0;
            while (TimeProvider.GetElapsedTime(started) < Options.ResponseTimeout)
            {
                var read = await ReadWithTimeoutAsync(_buffer, _interByteTimeout, cancellationToken).ConfigureAwait(false);
                if (read is null or 0)
                {
                    break;
                }

                drained += read.Value;
                MarkActivity();
            }

            if (drained > 0)
            {
                Counters.AddLateReply();
                Counters.AddDiscardedBytes(drained);
                Logger.LogDebug("Modbus {Link}: discarded {Count} stale bytes before the next request", Link.Name, drained);
            }

            _busDirty = false;
        }

        Link.DiscardInput();

        if (_hasActivity)
        {
            var gap = _lastWasBroadcast ? _silentInterval + _broadcastTurnaround : _silentInterval;
            var remaining = gap - TimeProvider.GetElapsedTime(_lastActivity);
            if (remaining > TimeSpan.Zero)
            {
                await Task.Delay(remaining, TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<byte[]> ReceiveAsync(ModbusRequest request, CancellationToken cancellationToken)
    {
        var started = TimeProvider.GetTimestamp();
        var start = 0;
        var count = 0;
        long skipped = 0;
        var pending = FrameError.None;
        var timeout = Options.ResponseTimeout;
        while (true)
        {
            if (start > 0)
            {
                _buffer.AsSpan(start, count - start).CopyTo(_buffer);
                count -= start;
                start = 0;
            }

            var read = await ReadWithTimeoutAsync(_buffer.AsMemory(count), timeout, cancellationToken).ConfigureAwait(false);
            if (read is null)
            {
                throw ReceiveFailed(request, count - start, skipped, pending);
            }

            if (read == 0)
            {
                throw new IOException($"Link {Link.Name} closed while waiting for a reply from unit {request.Unit}");
            }

            MarkActivity();
            count += read.Value;
            if (TryCompleteReply(request, ref start, count, ref skipped, ref pending, out var data))
            {
                _busDirty = false;
                return data;
            }

            var left = _maxReplyDuration - TimeProvider.GetElapsedTime(started);
            timeout = left < _interByteTimeout ? left : _interByteTimeout;
        }
    }

    private bool TryCompleteReply(in ModbusRequest request, ref int start, int count, ref long skipped, ref FrameError pending, out byte[] data)
    {
        data = [];
        while (start < count)
        {
            var window = _buffer.AsSpan(start, count - start);
            var status = ModbusRtuFrame.TryParseResponse(window, request, out var response, out var consumed, out var error);
            if (status == FrameStatus.Incomplete)
            {
                return false;
            }

            if (status == FrameStatus.Complete)
            {
                var trailing = window.Length - consumed;
                if (trailing > 0)
                {
                    Counters.AddGarbageBytes(trailing);
                }

                Counters.AddResponse();
                if (response.IsException)
                {
                    Counters.AddException();
                    _busDirty = false;
                    throw new ModbusDeviceException(request.Unit, request.Function, response.ExceptionCode);
                }

                data = response.Data.ToArray();
                return true;
            }

            if (CountError(error, window, request))
            {
                pending = error;
            }

            Logger.LogDebug("Modbus {Link} unit {Unit}: {Error} at a candidate frame start, skipping", Link.Name, request.Unit, error);
            var skip = 1 + ModbusRtuFrame.FindPlausibleStart(window[1..], request);
            Counters.AddGarbageBytes(skip);
            skipped += skip;
            start += skip;
        }

        return false;
    }

    /// <summary>Counts an error; true when it was a real (if bad) reply rather than noise.</summary>
    private bool CountError(FrameError error, ReadOnlySpan<byte> window, in ModbusRequest request)
    {
        switch (error)
        {
            case FrameError.BadCrc:
                Counters.AddCrcError();
                return true;
            case FrameError.WrongUnit:
                var function = (byte)request.Function;
                var looksLikeReply = window.Length > 1 && window[0] is >= 1 and <= ModbusRtuFrame.MaxUnit
                    && (window[1] == function || window[1] == (function | 0x80));
                if (looksLikeReply)
                {
                    Counters.AddWrongUnit();
                }

                return looksLikeReply;
            case FrameError.WrongFunction:
                return false;
            default:
                Counters.AddFrameError();
                return true;
        }
    }

    private Exception ReceiveFailed(in ModbusRequest request, int buffered, long skipped, FrameError pending)
    {
        if (pending != FrameError.None)
        {
            return new MeterProtocolException(pending.ToReason(),
                $"Unit {request.Unit} {request.Function}: no valid reply on {Link.Name} ({pending}; {skipped} bytes skipped)");
        }

        Counters.AddTimeout();
        var what = buffered > 0
            ? $"an incomplete reply ({buffered} bytes)"
            : skipped > 0 ? $"only {skipped} garbage bytes" : "no reply";
        return new TimeoutException($"Unit {request.Unit} {request.Function}: {what} on {Link.Name} within {Options.ResponseTimeout.TotalMilliseconds:0} ms");
    }

    private void MarkActivity()
    {
        _lastActivity = TimeProvider.GetTimestamp();
        _hasActivity = true;
    }
}
