using System.Buffers.Binary;
using System.Collections.Concurrent;
using Dcu.Drivers.Modbus;
using Dcu.Drivers.Tests.Links;

namespace Dcu.Drivers.Tests.Modbus;

/// <summary>
/// A Modbus device behind an <see cref="InMemoryByteLink"/>, RTU or TCP. It answers correct frames
/// by default, and misbehaves on purpose as told by <see cref="Script"/> (one entry per request)
/// or <see cref="Always"/>. Holding and input registers share one map. A late reply is a
/// <see cref="Misbehaviour.Silent"/> attempt plus bytes the test delivers itself once the master's
/// fake-time timeout has passed, so machine load cannot move it.
/// </summary>
public sealed class SimulatedModbusDevice
{
    public static readonly byte[] Garbage = [0x00, 0xFF, 0x13, 0x01, 0x55];

    private readonly InMemoryByteLink _link;
    private readonly bool _tcp;
    private int _inFlight;
    private int _overlaps;
    private int _requests;

    public SimulatedModbusDevice(InMemoryByteLink link, byte unit, bool tcp = false)
    {
        _link = link;
        _tcp = tcp;
        Unit = unit;
        link.OnWrite = Handle;
    }

    public byte Unit { get; }

    public ushort[] Registers { get; } = new ushort[0x10000];

    public ConcurrentQueue<Misbehaviour> Script { get; } = new();

    /// <summary>Used when <see cref="Script"/> is empty.</summary>
    public Misbehaviour Always { get; set; } = Misbehaviour.None;

    public ModbusExceptionCode ExceptionCode { get; set; } = ModbusExceptionCode.IllegalDataAddress;

    public TimeSpan ByteGap { get; set; } = TimeSpan.FromMilliseconds(5);

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Requests that arrived while a reply was still being sent.</summary>
    public int Overlaps => Volatile.Read(ref _overlaps);

    private void Handle(byte[] frame)
    {
        ushort transaction = 0;
        byte unit;
        ReadOnlySpan<byte> pdu;
        if (_tcp)
        {
            transaction = BinaryPrimitives.ReadUInt16BigEndian(frame);
            unit = frame[6];
            pdu = frame.AsSpan(ModbusTcpFrame.HeaderLength);
        }
        else
        {
            if (!ModbusCrc.Check(frame))
            {
                return;
            }

            unit = frame[0];
            pdu = frame.AsSpan(1, frame.Length - 3);
        }

        if (unit != Unit && unit != 0)
        {
            return;
        }

        Interlocked.Increment(ref _requests);
        if (Interlocked.Increment(ref _inFlight) > 1)
        {
            Interlocked.Increment(ref _overlaps);
        }

        var behaviour = Script.TryDequeue(out var scripted) ? scripted : Always;
        var replyPdu = behaviour switch
        {
            Misbehaviour.Exception => [(byte)(pdu[0] | 0x80), (byte)ExceptionCode],
            Misbehaviour.Busy => [(byte)(pdu[0] | 0x80), (byte)ModbusExceptionCode.ServerDeviceBusy],
            _ => Execute(pdu),
        };

        if (unit == 0 || behaviour == Misbehaviour.Silent)
        {
            Interlocked.Decrement(ref _inFlight);
            return;
        }

        var reply = Frame(behaviour == Misbehaviour.WrongUnit ? (byte)(Unit + 1) : Unit, transaction, replyPdu);
        switch (behaviour)
        {
            case Misbehaviour.OneByteAtATime:
                _ = Task.Run(async () =>
                {
                    for (var i = 0; i < reply.Length; i++)
                    {
                        await Task.Delay(ByteGap);
                        if (i == reply.Length - 1)
                        {
                            // Leave "in flight" just before the last byte: the master may answer at once.
                            Interlocked.Decrement(ref _inFlight);
                        }

                        _link.Deliver(reply.AsSpan(i, 1));
                    }
                });
                return;
            case Misbehaviour.BadCrc:
                reply[^1] ^= 0xFF;
                break;
            case Misbehaviour.GarbageFirst:
                _link.Deliver(Garbage);
                break;
            case Misbehaviour.StaleTransactionFirst:
                _link.Deliver(Frame(Unit, (ushort)(transaction - 1), replyPdu));
                break;
        }

        Interlocked.Decrement(ref _inFlight);
        _link.Deliver(reply);
    }

    private byte[] Execute(ReadOnlySpan<byte> pdu)
    {
        var function = (ModbusFunction)pdu[0];
        var address = BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]);
        var second = BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]);
        switch (function)
        {
            case ModbusFunction.ReadHoldingRegisters:
            case ModbusFunction.ReadInputRegisters:
                var reply = new byte[2 + (2 * second)];
                reply[0] = pdu[0];
                reply[1] = (byte)(2 * second);
                for (var i = 0; i < second; i++)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(2 + (2 * i)), Registers[address + i]);
                }

                return reply;
            case ModbusFunction.WriteSingleRegister:
                Registers[address] = second;
                return pdu[..5].ToArray();
            case ModbusFunction.WriteMultipleRegisters:
                for (var i = 0; i < second; i++)
                {
                    Registers[address + i] = BinaryPrimitives.ReadUInt16BigEndian(pdu[(6 + (2 * i))..]);
                }

                return pdu[..5].ToArray();
            default:
                return [(byte)(pdu[0] | 0x80), (byte)ModbusExceptionCode.IllegalFunction];
        }
    }

    private byte[] Frame(byte unit, ushort transaction, byte[] pdu)
    {
        if (_tcp)
        {
            var tcp = new byte[ModbusTcpFrame.HeaderLength + pdu.Length];
            BinaryPrimitives.WriteUInt16BigEndian(tcp, transaction);
            BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(4), (ushort)(pdu.Length + 1));
            tcp[6] = unit;
            pdu.CopyTo(tcp, ModbusTcpFrame.HeaderLength);
            return tcp;
        }

        return RtuAdu.Of(unit, pdu);
    }
}
