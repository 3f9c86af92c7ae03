using Dcu.Core.Abstractions;
using Microsoft.Extensions.Logging;

namespace Dcu.Drivers.Modbus;

/// <summary>
/// Modbus TCP master over one connection. Transaction ids increment per attempt; replies with a
/// stale transaction id (late replies to timed-out attempts) are dropped and counted, and the
/// master keeps reading for the right one until the response timeout. Bytes left over after a
/// timeout stay buffered, so the stream stays in frame. Unit ids are passed through as they are
/// (0 and 255 are common "the device itself" ids on TCP, so there is no broadcast here).
/// </summary>
public sealed class ModbusTcpMaster : ModbusMasterBase
{
    private readonly byte[] _buffer = new byte[ModbusTcpFrame.MaxAduLength * 2];
    private int _count;
    private ushort _nextTransactionId;

    public ModbusTcpMaster(IByteLink link, ModbusTcpMasterOptions? options = null, ILogger? logger = null)
        : base(link, options ?? new ModbusTcpMasterOptions(), logger)
    {
        _nextTransactionId = ((ModbusTcpMasterOptions)Options).FirstTransactionId;
    }

    protected override void ValidateUnit(byte unit, bool isWrite)
    {
    }

    protected override async Task<byte[]> TransactAsync(ModbusRequest request, ReadOnlyMemory<byte> pdu, CancellationToken cancellationToken)
    {
        var transactionId = _nextTransactionId++;
        var adu = new byte[ModbusTcpFrame.HeaderLength + pdu.Length];
        ModbusTcpFrame.WriteRequest(adu, transactionId, request.Unit, pdu.Span);
        await WriteWithTimeoutAsync(adu, cancellationToken).ConfigureAwait(false);
        Counters.AddRequest();

        var started = TimeProvider.GetTimestamp();
        while (true)
        {
            if (TryCompleteReply(request, transactionId, out var data))
            {
                return data;
            }

            var left = Options.ResponseTimeout - TimeProvider.GetElapsedTime(started);
            var read = await ReadWithTimeoutAsync(_buffer.AsMemory(_count), left, cancellationToken).ConfigureAwait(false);
            if (read is null)
            {
                Counters.AddTimeout();
                throw new TimeoutException(
                    $"Unit {request.Unit} {request.Function} (transaction {transactionId}): no reply on {Link.Name} within {Options.ResponseTimeout.TotalMilliseconds:0} ms");
            }

            if (read == 0)
            {
                _count = 0;
                throw new IOException($"Link {Link.Name} closed while waiting for transaction {transactionId}");
            }

            _count += read.Value;
        }
    }

    private bool TryCompleteReply(in ModbusRequest request, ushort transactionId, out byte[] data)
    {
        data = [];
        while (_count > 0)
        {
            var window = _buffer.AsSpan(0, _count);
            var status = ModbusTcpFrame.TryParseResponse(window, transactionId, request, out var response, out var consumed, out var error);
            if (status == FrameStatus.Incomplete)
            {
                return false;
            }

            if (status == FrameStatus.Complete)
            {
                Counters.AddResponse();
                if (response.IsException)
                {
                    Drop(consumed);
                    Counters.AddException();
                    throw new ModbusDeviceException(request.Unit, request.Function, response.ExceptionCode);
                }

                data = response.Data.ToArray();
                Drop(consumed);
                return true;
            }

            if (ModbusTcpFrame.TryGetFrameLength(window, out var length, out _) != FrameStatus.Complete)
            {
                // The header itself is bad: the stream is out of frame and cannot be trusted.
                Counters.AddFrameError();
                Counters.AddDiscardedBytes(_count);
                _count = 0;
                Link.DiscardInput();
                throw new MeterProtocolException(error.ToReason(), $"Bad MBAP header from {Link.Name} ({error}); input discarded");
            }

            Drop(length);
            if (error == FrameError.WrongTransaction)
            {
                Counters.AddLateReply();
                Logger.LogDebug("Modbus {Link}: dropped a late reply ({Length} bytes) while waiting for transaction {Transaction}", Link.Name, length, transactionId);
                continue;
            }

            if (error == FrameError.WrongUnit)
            {
                Counters.AddWrongUnit();
            }
            else
            {
                Counters.AddFrameError();
            }

            throw new MeterProtocolException(error.ToReason(), $"Unit {request.Unit} {request.Function} (transaction {transactionId}): bad reply on {Link.Name} ({error})");
        }

        return false;
    }

    private void Drop(int length)
    {
        _buffer.AsSpan(length, _count - length).CopyTo(_buffer);
        _count -= length;
    }
}
