using System.Buffers.Binary;

namespace Dcu.Drivers.Modbus;

/// <summary>
/// Modbus TCP ADU codec ("MODBUS Messaging on TCP/IP Implementation Guide V1.0b", 3.1.3):
/// MBAP header <c>transaction(2) protocol(2)=0 length(2) unit(1)</c>, big-endian, then the PDU;
/// length counts the unit and the PDU. No CRC. Same peek-then-commit contract as <see cref="ModbusRtuFrame"/>.
/// </summary>
public static class ModbusTcpFrame
{
    /// <summary>MBAP header length, unit id included.</summary>
    public const int HeaderLength = 7;

    /// <summary>Largest TCP ADU: header plus <see cref="ModbusPdu.MaxLength"/>.</summary>
    public const int MaxAduLength = HeaderLength + ModbusPdu.MaxLength;

    /// <summary>Writes the MBAP header and <paramref name="pdu"/>; returns the ADU length.</summary>
    public static int WriteRequest(Span<byte> destination, ushort transactionId, byte unit, ReadOnlySpan<byte> pdu)
    {
        if (pdu.Length < 1 || pdu.Length > ModbusPdu.MaxLength)
        {
            throw new ArgumentException($"PDU must be 1..{ModbusPdu.MaxLength} bytes.", nameof(pdu));
        }

        var length = HeaderLength + pdu.Length;
        if (destination.Length < length)
        {
            throw new ArgumentException($"Destination needs {length} bytes.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, transactionId);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], (ushort)(pdu.Length + 1));
        destination[6] = unit;
        pdu.CopyTo(destination[HeaderLength..]);
        return length;
    }

    /// <summary>
    /// Peeks at the MBAP header and tells the whole ADU length (6 + length field), whatever the
    /// transaction. Refuses a protocol id other than 0 and lengths outside 2..254 before buffering.
    /// </summary>
    public static FrameStatus TryGetFrameLength(ReadOnlySpan<byte> buffer, out int length, out FrameError error)
    {
        length = 0;
        error = FrameError.None;
        if (buffer.Length < 4)
        {
            return FrameStatus.Incomplete;
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]) != 0)
        {
            error = FrameError.BadProtocolId;
            return FrameStatus.Error;
        }

        if (buffer.Length < 6)
        {
            return FrameStatus.Incomplete;
        }

        var declared = BinaryPrimitives.ReadUInt16BigEndian(buffer[4..]);
        if (declared > ModbusPdu.MaxLength + 1)
        {
            error = FrameError.TooLong;
            return FrameStatus.Error;
        }

        if (declared < 2)
        {
            error = FrameError.BadLength;
            return FrameStatus.Error;
        }

        length = 6 + declared;
        return FrameStatus.Complete;
    }

    /// <summary>
    /// Parses the reply to <paramref name="request"/> sent with <paramref name="transactionId"/>.
    /// A whole frame with another transaction id is <see cref="FrameError.WrongTransaction"/>; the
    /// caller can skip it using <see cref="TryGetFrameLength"/>.
    /// </summary>
    public static FrameStatus TryParseResponse(ReadOnlySpan<byte> buffer, ushort transactionId, in ModbusRequest request, out ModbusResponse response, out int consumed, out FrameError error)
    {
        response = default;
        consumed = 0;
        var status = TryGetFrameLength(buffer, out var length, out error);
        if (status != FrameStatus.Complete)
        {
            return status;
        }

        if (buffer.Length < length)
        {
            return FrameStatus.Incomplete;
        }

        var frame = buffer[..length];
        if (BinaryPrimitives.ReadUInt16BigEndian(frame) != transactionId)
        {
            error = FrameError.WrongTransaction;
            return FrameStatus.Error;
        }

        if (frame[6] != request.Unit)
        {
            error = FrameError.WrongUnit;
            return FrameStatus.Error;
        }

        status = ModbusPdu.TryDecodeResponse(frame[HeaderLength..], frame[6], request, out response, out error);
        if (status == FrameStatus.Incomplete)
        {
            // The MBAP length ended the frame before the PDU did.
            error = FrameError.BadLength;
            return FrameStatus.Error;
        }

        if (status == FrameStatus.Complete)
        {
            consumed = length;
        }

        return status;
    }
}
