using System.Buffers.Binary;
using Dcu.Core.Abstractions;
using Dcu.Drivers.Modbus;

namespace Dcu.Drivers.Simulation;

/// <summary>
/// An in-memory RS485 line with simulated meters on it, answering real Modbus RTU request bytes:
/// FC 03/04/06/16, exception 01 for functions a meter lacks, 02 for unmapped registers, 03 for bad
/// quantities or lengths; silence for unknown unit ids and bad CRCs; broadcast (unit 0) writes
/// are applied to every meter and never answered. Units can misbehave on purpose (<see cref="SetFault"/>).
/// </summary>
/// <remarks>
/// Each <see cref="WriteAsync"/> is one frame, as <see cref="IByteLink"/> promises: the silent
/// interval of a real line is the gap between writes. Replies are read back through
/// <see cref="ReadAsync"/>, whole or in chunks of <see cref="ReplyChunkSize"/> bytes (to exercise
/// a master's frame assembly). Delayed replies wait on the bus's <see cref="TimeProvider"/>.
/// </remarks>
public sealed class SimulatedRtuBus : SimulatedLink
{
    private readonly Dictionary<byte, SimulatedModbusMeter> _meters = [];
    private readonly Dictionary<byte, SimulatedFault> _faults = [];

    public SimulatedRtuBus(TimeProvider timeProvider, string name = "sim:rs485", int baudRate = 9600)
        : base(timeProvider, name)
    {
        BaudRate = baudRate;
    }

    /// <summary>8N1: start, 8 data, stop.</summary>
    public override int BitsPerCharacter => 10;

    public override int BaudRate { get; }

    /// <summary>Split every reply into reads of at most this many bytes; 0 delivers a reply whole.</summary>
    public int ReplyChunkSize { get; set; }

    public long FramesReceived { get; private set; }

    public long FramesAnswered { get; private set; }

    /// <summary>Frames dropped without reply: bad CRC, too short, unknown unit, silent unit, broadcast.</summary>
    public long FramesUnanswered { get; private set; }

    public IReadOnlyDictionary<byte, SimulatedModbusMeter> Meters => _meters;

    public void Attach(SimulatedModbusMeter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        if (!_meters.TryAdd(meter.UnitId, meter)) throw new ArgumentException($"unit {meter.UnitId} is already on {Name}", nameof(meter));
    }

    public void SetFault(byte unit, SimulatedFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        _faults[unit] = fault;
    }

    protected override int DeliveryChunkSize => ReplyChunkSize;

    protected override void OnFrame(ReadOnlyMemory<byte> frame)
    {
        FramesReceived++;
        var (reply, fault) = Answer(frame.Span);
        if (reply is null)
        {
            FramesUnanswered++;
            return;
        }
        FramesAnswered++;
        if (fault.CorruptCrc) reply[^1] ^= 0xFF;
        if (fault.ReplyDelay > TimeSpan.Zero) _ = DeliverLaterAsync(reply, fault.ReplyDelay);
        else Deliver(reply);
    }

    /// <summary>The reply to one request frame, or null for silence.</summary>
    private (byte[]? Reply, SimulatedFault Fault) Answer(ReadOnlySpan<byte> frame)
    {
        var none = SimulatedFault.None;
        if (frame.Length < 4 || ModbusCrc.Compute(frame[..^2]) != BinaryPrimitives.ReadUInt16LittleEndian(frame[^2..])) return (null, none);
        var unit = frame[0];
        var pdu = frame[1..^2];
        var function = (ModbusFunction)pdu[0];

        if (unit == 0)
        {
            // Broadcast: writes reach every meter, nobody answers.
            if (function is ModbusFunction.WriteSingleRegister or ModbusFunction.WriteMultipleRegisters)
                foreach (var meter in _meters.Values) Execute(meter, pdu);
            return (null, none);
        }
        if (!_meters.TryGetValue(unit, out var target)) return (null, none);
        var fault = _faults.GetValueOrDefault(unit, none);
        if (fault.Silent) return (null, fault);

        var replyPdu = Execute(target, pdu);
        var reply = new byte[replyPdu.Length + 3];
        reply[0] = unit;
        replyPdu.CopyTo(reply.AsSpan(1));
        BinaryPrimitives.WriteUInt16LittleEndian(reply.AsSpan(reply.Length - 2), ModbusCrc.Compute(reply.AsSpan(0, reply.Length - 2)));
        return (reply, fault);
    }

    /// <summary>Executes one PDU on <paramref name="meter"/> and returns the reply PDU (normal or exception).</summary>
    private static byte[] Execute(SimulatedModbusMeter meter, ReadOnlySpan<byte> pdu)
    {
        var fc = pdu[0];
        switch ((ModbusFunction)fc)
        {
            case ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters:
            {
                if (pdu.Length != 5) return Exception(fc, SimulatedModbusMeter.IllegalDataValue);
                var start = BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]);
                var count = BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]);
                var data = new byte[Math.Clamp(count, (ushort)0, (ushort)125) * 2];
                var code = meter.ReadRegisters((ModbusFunction)fc, start, count, data);
                if (code != 0) return Exception(fc, code);
                var reply = new byte[2 + data.Length];
                reply[0] = fc;
                reply[1] = (byte)data.Length;
                data.CopyTo(reply, 2);
                return reply;
            }
            case ModbusFunction.WriteSingleRegister:
            {
                if (pdu.Length != 5) return Exception(fc, SimulatedModbusMeter.IllegalDataValue);
                var address = BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]);
                ushort[] value = [BinaryPrimitives.ReadUInt16BigEndian(pdu[3..])];
                var code = meter.WriteRegisters(ModbusFunction.WriteSingleRegister, address, value);
                return code != 0 ? Exception(fc, code) : pdu.ToArray();
            }
            case ModbusFunction.WriteMultipleRegisters:
            {
                if (pdu.Length < 6) return Exception(fc, SimulatedModbusMeter.IllegalDataValue);
                var start = BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]);
                var count = BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]);
                var byteCount = pdu[5];
                if (count is < 1 or > 123 || byteCount != count * 2 || pdu.Length != 6 + byteCount)
                    return Exception(fc, SimulatedModbusMeter.IllegalDataValue);
                var values = new ushort[count];
                for (var i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadUInt16BigEndian(pdu[(6 + 2 * i)..]);
                var code = meter.WriteRegisters(ModbusFunction.WriteMultipleRegisters, start, values);
                return code != 0 ? Exception(fc, code) : pdu[..5].ToArray();
            }
            default:
                return Exception(fc, SimulatedModbusMeter.IllegalFunction);
        }
    }

    private static byte[] Exception(byte fc, byte code) => [(byte)(fc | 0x80), code];
}
