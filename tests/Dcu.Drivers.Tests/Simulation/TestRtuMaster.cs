using System.Buffers.Binary;
using Dcu.Core.Abstractions;
using Dcu.Drivers.Modbus;

namespace Dcu.Drivers.Tests.Simulation;

/// <summary>
/// A deliberately minimal RTU master over an <see cref="IByteLink"/>, for tests only, until the real
/// ModbusRtuMaster is merged (TODO(merge): replace with ModbusRtuMaster). Reads by declared length,
/// checks CRC, unit and function; exceptions become MeterProtocolException("exception_0X").
/// </summary>
internal sealed class TestRtuMaster(IByteLink link, TimeSpan responseTimeout) : IModbusMaster
{
    public ModbusBusCounters Counters => throw new NotSupportedException("test master keeps no counters");

    public async Task<byte[]> ReadRegistersAsync(byte unit, ModbusFunction function, ushort start, ushort count, CancellationToken cancellationToken)
    {
        var reply = await TransactAsync(unit, [(byte)function, (byte)(start >> 8), (byte)start, (byte)(count >> 8), (byte)count], 5 + count * 2, cancellationToken);
        if (reply[2] != count * 2) throw new MeterProtocolException("wrong_length", $"byte count {reply[2]}");
        return reply.AsSpan(3, count * 2).ToArray();
    }

    public Task WriteSingleRegisterAsync(byte unit, ushort address, ushort value, CancellationToken cancellationToken) =>
        TransactAsync(unit, [6, (byte)(address >> 8), (byte)address, (byte)(value >> 8), (byte)value], 8, cancellationToken);

    public Task WriteMultipleRegistersAsync(byte unit, ushort start, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken)
    {
        var pdu = new byte[6 + values.Length * 2];
        pdu[0] = 16;
        BinaryPrimitives.WriteUInt16BigEndian(pdu.AsSpan(1), start);
        BinaryPrimitives.WriteUInt16BigEndian(pdu.AsSpan(3), (ushort)values.Length);
        pdu[5] = (byte)(values.Length * 2);
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteUInt16BigEndian(pdu.AsSpan(6 + 2 * i), values.Span[i]);
        return TransactAsync(unit, pdu, 8, cancellationToken);
    }

    private async Task<byte[]> TransactAsync(byte unit, byte[] pdu, int expectedLength, CancellationToken cancellationToken)
    {
        var frame = Frame(unit, pdu);
        link.DiscardInput();
        await link.WriteAsync(frame, cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(responseTimeout);
        var buffer = new byte[256];
        var have = 0;
        var need = expectedLength;
        try
        {
            while (have < need)
            {
                var n = await link.ReadAsync(buffer.AsMemory(have), timeout.Token);
                if (n == 0) throw new IOException("link closed");
                have += n;
                if (have >= 2 && (buffer[1] & 0x80) != 0) need = 5;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"unit {unit}: no reply within {responseTimeout.TotalMilliseconds} ms ({have} bytes)");
        }
        var reply = buffer.AsSpan(0, need);
        if (Crc(reply[..^2]) != BinaryPrimitives.ReadUInt16LittleEndian(reply[^2..])) throw new MeterProtocolException("crc", "bad CRC");
        if (reply[0] != unit) throw new MeterProtocolException("wrong_unit", $"reply from unit {reply[0]}");
        if ((reply[1] & 0x80) != 0) throw new MeterProtocolException($"exception_{reply[2]:X2}", $"unit {unit}: exception {reply[2]:X2}");
        if (reply[1] != pdu[0]) throw new MeterProtocolException("wrong_function", $"function {reply[1]}");
        return reply.ToArray();
    }

    public static byte[] Frame(byte unit, ReadOnlySpan<byte> pdu)
    {
        var frame = new byte[pdu.Length + 3];
        frame[0] = unit;
        pdu.CopyTo(frame.AsSpan(1));
        BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(frame.Length - 2), Crc(frame.AsSpan(0, frame.Length - 2)));
        return frame;
    }

    public static ushort Crc(ReadOnlySpan<byte> data)
    {
        ushort crc = 0xFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (var i = 0; i < 8; i++) crc = (crc & 1) != 0 ? (ushort)((crc >> 1) ^ 0xA001) : (ushort)(crc >> 1);
        }
        return crc;
    }
}
