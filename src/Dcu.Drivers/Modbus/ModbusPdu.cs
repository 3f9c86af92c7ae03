using System.Buffers.Binary;

namespace Dcu.Drivers.Modbus;

/// <summary>
/// PDU-level codec shared by RTU and TCP (MODBUS Application Protocol V1.1b3, 6.3, 6.4, 6.6, 6.12).
/// Request writers validate quantities and throw on misuse; response readers follow the
/// peek-then-commit contract and never throw on bad bytes.
/// </summary>
public static class ModbusPdu
{
    /// <summary>Largest PDU: 256-byte RTU ADU minus address and CRC.</summary>
    public const int MaxLength = 253;

    /// <summary>FC03/FC04 quantity limit (6.3, 6.4).</summary>
    public const int MaxReadQuantity = 125;

    /// <summary>FC16 quantity limit (6.12).</summary>
    public const int MaxWriteQuantity = 123;

    /// <summary>Writes <c>fc start(2) qty(2)</c> for FC03/FC04; returns 5.</summary>
    public static int WriteReadRequest(Span<byte> destination, ModbusFunction function, ushort start, ushort quantity)
    {
        if (function is not (ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters))
        {
            throw new ArgumentOutOfRangeException(nameof(function), function, "Only FC03 and FC04 read registers.");
        }

        CheckQuantity(start, quantity, MaxReadQuantity);
        CheckRoom(destination, 5);
        destination[0] = (byte)function;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], start);
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], quantity);
        return 5;
    }

    /// <summary>Writes <c>06 address(2) value(2)</c>; returns 5.</summary>
    public static int WriteSingleRegisterRequest(Span<byte> destination, ushort address, ushort value)
    {
        CheckRoom(destination, 5);
        destination[0] = (byte)ModbusFunction.WriteSingleRegister;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], value);
        return 5;
    }

    /// <summary>Writes <c>10 start(2) qty(2) bytecount values...</c>; returns 6 + 2 x count.</summary>
    public static int WriteMultipleRegistersRequest(Span<byte> destination, ushort start, ReadOnlySpan<ushort> values)
    {
        CheckQuantity(start, values.Length, MaxWriteQuantity);
        var length = 6 + (2 * values.Length);
        CheckRoom(destination, length);
        destination[0] = (byte)ModbusFunction.WriteMultipleRegisters;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], start);
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], (ushort)values.Length);
        destination[5] = (byte)(2 * values.Length);
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[(6 + (2 * i))..], values[i]);
        }

        return length;
    }

    /// <summary>
    /// Peeks at the start of a response PDU and tells its whole length: the function code tells
    /// the meta length, the byte count tells the data length. Refuses a byte count that would
    /// exceed <see cref="MaxLength"/> (<see cref="FrameError.TooLong"/>) or disagree with the
    /// request's quantity (<see cref="FrameError.BadLength"/>) before any more bytes are buffered.
    /// </summary>
    public static FrameStatus TryGetResponseLength(ReadOnlySpan<byte> pdu, in ModbusRequest request, out int length, out FrameError error)
    {
        length = 0;
        error = FrameError.None;
        if (pdu.Length < 1)
        {
            return FrameStatus.Incomplete;
        }

        var function = (byte)request.Function;
        if (pdu[0] == (function | 0x80))
        {
            length = 2;
            return FrameStatus.Complete;
        }

        if (pdu[0] != function)
        {
            error = FrameError.WrongFunction;
            return FrameStatus.Error;
        }

        switch (request.Function)
        {
            case ModbusFunction.ReadHoldingRegisters:
            case ModbusFunction.ReadInputRegisters:
                if (pdu.Length < 2)
                {
                    return FrameStatus.Incomplete;
                }

                var byteCount = pdu[1];
                if (2 + byteCount > MaxLength)
                {
                    error = FrameError.TooLong;
                    return FrameStatus.Error;
                }

                if (byteCount != 2 * request.Quantity)
                {
                    error = FrameError.BadLength;
                    return FrameStatus.Error;
                }

                length = 2 + byteCount;
                return FrameStatus.Complete;
            case ModbusFunction.WriteSingleRegister:
            case ModbusFunction.WriteMultipleRegisters:
                length = 5;
                return FrameStatus.Complete;
            default:
                throw new ArgumentOutOfRangeException(nameof(request), request.Function, "Unsupported function.");
        }
    }

    /// <summary>
    /// Decodes a whole response PDU (its length already established by
    /// <see cref="TryGetResponseLength"/>) and checks the echo of write replies.
    /// </summary>
    public static FrameStatus TryDecodeResponse(ReadOnlySpan<byte> pdu, byte unit, in ModbusRequest request, out ModbusResponse response, out FrameError error)
    {
        response = default;
        var status = TryGetResponseLength(pdu, request, out var length, out error);
        if (status != FrameStatus.Complete)
        {
            return status;
        }

        if (pdu.Length != length)
        {
            error = FrameError.BadLength;
            return FrameStatus.Error;
        }

        if ((pdu[0] & 0x80) != 0)
        {
            response = new ModbusResponse(unit, request.Function, (ModbusExceptionCode)pdu[1]);
            return FrameStatus.Complete;
        }

        switch (request.Function)
        {
            case ModbusFunction.ReadHoldingRegisters:
            case ModbusFunction.ReadInputRegisters:
                response = new ModbusResponse(unit, request.Function, pdu[2..]);
                return FrameStatus.Complete;
            default:
                var address = BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]);
                var second = BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]);
                var expected = request.Function == ModbusFunction.WriteSingleRegister ? request.Value : request.Quantity;
                if (address != request.Address || second != expected)
                {
                    error = FrameError.MismatchedEcho;
                    return FrameStatus.Error;
                }

                response = new ModbusResponse(unit, request.Function, ReadOnlySpan<byte>.Empty);
                return FrameStatus.Complete;
        }
    }

    private static void CheckQuantity(ushort start, int quantity, int max)
    {
        if (quantity < 1 || quantity > max)
        {
            throw new ArgumentOutOfRangeException(nameof(quantity), quantity, $"Quantity must be 1..{max}.");
        }

        if (start + quantity > 0x10000)
        {
            throw new ArgumentOutOfRangeException(nameof(quantity), quantity, "Register range runs past address 0xFFFF.");
        }
    }

    private static void CheckRoom(Span<byte> destination, int length)
    {
        if (destination.Length < length)
        {
            throw new ArgumentException($"Destination needs {length} bytes.", nameof(destination));
        }
    }
}
